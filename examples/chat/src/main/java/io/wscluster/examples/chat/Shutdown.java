package io.wscluster.examples.chat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a drain on SIGTERM and SIGINT so that the process can exit with status 0.
 *
 * <p>A JVM shutdown hook would also run on SIGTERM, but the JVM then exits with 143 whatever the hook
 * does; handling the signal itself lets the main thread return normally after the drain. Where signals
 * cannot be handled (for example under {@code -Xrs}), a shutdown hook drains instead.
 */
final class Shutdown {

    private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

    private Shutdown() {
    }

    static void onTermination(Runnable drain) {
        AtomicBoolean once = new AtomicBoolean();
        Runnable runOnce = () -> {
            if (once.compareAndSet(false, true)) {
                drain.run();
            }
        };
        boolean handled = true;
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> new Thread(runOnce, "chat-drain-" + name).start());
            } catch (IllegalArgumentException e) {
                LOG.warn("Cannot handle SIG{} ({}); a shutdown hook drains instead, and the exit status will be non-zero",
                        name, e.getMessage());
                handled = false;
            }
        }
        if (!handled) {
            Runtime.getRuntime().addShutdownHook(new Thread(runOnce, "chat-drain-hook"));
        }
    }
}
