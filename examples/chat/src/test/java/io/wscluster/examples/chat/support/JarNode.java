package io.wscluster.examples.chat.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * A chat node as its own process: {@code java -jar wscluster-chat.jar ARGS}, nothing else on the
 * command line (the jar's manifest carries what Hazelcast needs). Its output goes to a log file kept in
 * target/; it is stopped by its PID.
 */
public final class JarNode implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("READY (\\d+)");

    private final Process process;
    private final Path log;
    private volatile int port = -1;

    private JarNode(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** @return the jar under test (system property {@code chat.jar}, set by the build) */
    public static Path jar() {
        return Path.of(System.getProperty("chat.jar", "target/wscluster-chat.jar"));
    }

    /**
     * Starts a node process.
     *
     * @param name a name for the log file
     * @param args the command line after {@code -jar wscluster-chat.jar}
     * @return the process, maybe not ready yet
     */
    public static JarNode start(String name, String... args) {
        try {
            Path logs = Files.createDirectories(Path.of("target", "it-logs"));
            Path log = logs.resolve(name + ".log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", jar().toString()));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new JarNode(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits for the {@code READY <port>} line.
     *
     * @param timeout the longest wait
     * @return this node
     */
    public JarNode awaitReady(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("node exited with " + process.exitValue() + ":\n" + log());
            }
            Matcher m = READY.matcher(log());
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                return true;
            }
            return false;
        });
        return this;
    }

    /** @return the port of the READY line */
    public int port() {
        return port;
    }

    /** @return the process id */
    public long pid() {
        return process.pid();
    }

    /** @return the process */
    public Process process() {
        return process;
    }

    /** @return everything the node printed so far */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Sends SIGTERM (what {@link Process#destroy()} does on Unix). */
    public void terminate() {
        process.destroy();
    }

    /**
     * Waits for the process to exit.
     *
     * @param timeout the longest wait
     * @return the exit status, or -1 if it was still running
     */
    public int awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Kills the process if it is still running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
        }
    }
}
