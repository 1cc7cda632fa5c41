package io.wscluster.spi;

import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Warns once, on {@code System.err}, when no SLF4J provider is bound. wscluster, and Hazelcast as
 * wscluster configures it, log only through SLF4J: without a provider every line is dropped,
 * warnings included (such as Hazelcast's about missing {@code --add-opens} flags).
 *
 * <p>Cluster backends and servers call {@link #warnIfNoProvider()} when they are built;
 * applications need not call it. It never throws and never writes to {@code System.out}.
 *
 * @since 0.1.0
 */
public final class LoggingCheck {

    /** The one line written to {@code System.err} when no SLF4J provider is bound. */
    public static final String NO_PROVIDER_WARNING = "wscluster: no SLF4J provider found, so wscluster and Hazelcast"
            + " log nothing, warnings included; add a binding such as ch.qos.logback:logback-classic to the class path";

    private static final LoggingCheck JVM = new LoggingCheck();

    private final AtomicBoolean warned = new AtomicBoolean();

    LoggingCheck() {
    }

    /**
     * Writes {@link #NO_PROVIDER_WARNING} to {@code System.err} if SLF4J has no provider, at most
     * once per JVM.
     */
    public static void warnIfNoProvider() {
        JVM.check(LoggerFactory.getILoggerFactory(), System.err);
    }

    /**
     * Writes the warning to {@code err} if {@code factory} is SLF4J's no-operation factory and this
     * check has not warned yet.
     *
     * @return whether it warned
     */
    boolean check(ILoggerFactory factory, PrintStream err) {
        if (factory instanceof NOPLoggerFactory && warned.compareAndSet(false, true)) {
            err.println(NO_PROVIDER_WARNING);
            return true;
        }
        return false;
    }
}
