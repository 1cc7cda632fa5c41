package io.wscluster.examples.chat.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chat node as its own process: {@code java [JVM options] -jar wscluster-chat.jar ARGS}, nothing
 * else on the command line (the jar's manifest carries what Hazelcast needs). Its output goes to a log
 * file; it is stopped by its PID only, and killed at the latest when the test JVM exits.
 */
public final class ChatNodeProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("READY (\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "chat-node-reaper"));
    }

    private final String name;
    private final Path log;
    private final Process process;
    private volatile int port = -1;

    private ChatNodeProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /**
     * The jar under test: system property {@code chat.jar} (set by the examples build), else
     * {@code wscluster.chatJar}, else the one the examples module builds, seen from a sibling module.
     *
     * @return its path
     * @throws IllegalStateException if there is no such file
     */
    public static Path jar() {
        String configured = System.getProperty("chat.jar", System.getProperty("wscluster.chatJar", "../examples/chat/target/wscluster-chat.jar"));
        Path jar = Path.of(configured).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("chat node jar not found at " + jar + "; build it with: mvn -B package -DskipTests");
        }
        return jar;
    }

    /**
     * Starts a node process; does not wait for READY.
     *
     * @param name    a name for the log file ({@code NAME.log}, overwritten) and messages
     * @param logDir  where the log goes
     * @param jvmArgs JVM options, e.g. {@code -Xmx256m}
     * @param args    the command line after {@code -jar wscluster-chat.jar}
     * @return the process, maybe not ready yet
     */
    public static ChatNodeProcess start(String name, Path logDir, List<String> jvmArgs, List<String> args) {
        return start(name, logDir, List.of(), jvmArgs, args);
    }

    /**
     * Starts a node process under a launcher that execs java in its own place, e.g.
     * {@code prlimit --nofile=512:512 --} to lower its file-descriptor limit; does not wait for READY.
     *
     * @param name     a name for the log file and messages
     * @param logDir   where the log goes
     * @param launcher the launcher's command line, ending where {@code java} goes; empty for none
     * @param jvmArgs  JVM options
     * @param args     the command line after {@code -jar wscluster-chat.jar}
     * @return the process (java's own, as the launcher execs it), maybe not ready yet
     */
    public static ChatNodeProcess start(String name, Path logDir, List<String> launcher, List<String> jvmArgs, List<String> args) {
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(args);
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            RUNNING.add(process);
            return new ChatNodeProcess(name, log, process);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start chat node " + name, e);
        }
    }

    /**
     * Waits for the node's {@code READY <port>} line.
     *
     * @param timeout the longest wait
     * @return this node
     * @throws IllegalStateException if it exited first or did not get ready in time
     */
    public ChatNodeProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("chat node " + name + " exited with " + process.exitValue() + " before READY; log "
                        + log + ":\n" + logText());
            }
            Matcher m = READY.matcher(logText());
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                return this;
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("chat node " + name + " not READY within " + timeout.toMillis() + " ms; log " + log);
    }

    /** @return the HTTP and WebSocket port of the READY line, -1 before it */
    public int port() {
        return port;
    }

    /**
     * @param user a user name (percent-encoded here)
     * @return the chat URL for it on this node
     */
    public URI chatUri(String user) {
        return URI.create("ws://127.0.0.1:" + port + "/chat?user=" + URLEncoder.encode(user, StandardCharsets.UTF_8));
    }

    /** @return GET /health as JSON with its status code in field {@code _status} */
    public JsonNode health() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            ObjectNode body = (ObjectNode) ChatClient.JSON.readTree(response.body());
            body.put("_status", response.statusCode());
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return everything the node printed so far */
    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** @return the log file */
    public Path log() {
        return log;
    }

    /** Sends SIGTERM (a drain; what {@link Process#destroy()} does on Unix) and returns. */
    public void terminate() {
        process.destroy();
    }

    /**
     * SIGTERM, and waits for the exit.
     *
     * @param timeout how long to wait
     * @return the exit status
     * @throws IllegalStateException if it did not exit in time
     */
    public int terminate(Duration timeout) {
        terminate();
        int status = awaitExit(timeout);
        if (status == -1 && process.isAlive()) {
            throw new IllegalStateException("chat node " + name + " did not exit within " + timeout.toMillis() + " ms of SIGTERM");
        }
        return status;
    }

    /**
     * Waits for the process to exit.
     *
     * @param timeout the longest wait
     * @return the exit status, or -1 if it was still running
     */
    public int awaitExit(Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                RUNNING.remove(process);
                return process.exitValue();
            }
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** Kills the process if it is still running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    /** @return the process id */
    public long pid() {
        return process.pid();
    }

    /** @return true while the process runs */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return the label */
    public String name() {
        return name;
    }
}
