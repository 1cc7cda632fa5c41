package io.wscluster.it.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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

/**
 * One chat node as a separate JVM ({@code java -jar wscluster-chat.jar ...}), started the way
 * examples/chat/PROTOCOL.md says, its output kept in a log file. Stopped by PID only.
 */
public final class ChatNode {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "chat-node-reaper"));
    }

    private final String name;
    private final int port;
    private final int clusterPort;
    private final Path log;
    private final Process process;

    private ChatNode(String name, int port, int clusterPort, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.clusterPort = clusterPort;
        this.log = log;
        this.process = process;
    }

    /** The chat jar: {@code -Dwscluster.chatJar=...}, else the one the examples module builds. */
    public static Path jar() {
        Path jar = Path.of(System.getProperty("wscluster.chatJar", "../examples/chat/target/wscluster-chat.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("chat node jar not found at " + jar + "; build it with: mvn -B package -DskipTests");
        }
        return jar;
    }

    /**
     * Starts a node; does not wait for READY.
     *
     * @param name        a label for logs
     * @param port        WebSocket/HTTP port
     * @param clusterPort cluster port
     * @param members     seed list, comma separated
     * @param clusterName cluster name
     * @param extraArgs   further flags (e.g. --failure-timeout-ms 4000)
     * @param logDir      where the node's output goes
     * @return the node
     */
    public static ChatNode start(String name, int port, int clusterPort, String members, String clusterName,
                                 List<String> extraArgs, Path logDir) {
        return start(name, port, "127.0.0.1", clusterPort, members, clusterName, List.of(), extraArgs, logDir);
    }

    /**
     * Starts a node with a chosen cluster interface and JVM options; does not wait for READY.
     *
     * @param name        a label for logs
     * @param port        WebSocket/HTTP port
     * @param clusterHost the cluster port's interface
     * @param clusterPort cluster port
     * @param members     seed list, comma separated
     * @param clusterName cluster name
     * @param jvmArgs     JVM options (e.g. -Dhazelcast.local.publicAddress=...)
     * @param extraArgs   further flags
     * @param logDir      where the node's output goes
     * @return the node
     */
    public static ChatNode start(String name, int port, String clusterHost, int clusterPort, String members, String clusterName,
                                 List<String> jvmArgs, List<String> extraArgs, Path logDir) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx384m");
        command.add("-XX:+UseSerialGC");
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of("--host", "127.0.0.1", "--port", Integer.toString(port), "--cluster-host", clusterHost,
                "--cluster-port", Integer.toString(clusterPort), "--members", members, "--cluster-name", clusterName));
        command.addAll(extraArgs);
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            RUNNING.add(process);
            return new ChatNode(name, port, clusterPort, log, process);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start chat node " + name, e);
        }
    }

    /**
     * Waits for the node's {@code READY <port>} line.
     *
     * @param timeout how long
     */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String marker = "READY " + port;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("chat node " + name + " exited with " + process.exitValue()
                        + " before READY; log " + log);
            }
            if (logText().contains(marker)) {
                return;
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

    /** @return the node's output so far */
    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
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
            com.fasterxml.jackson.databind.node.ObjectNode body = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(response.body());
            body.put("_status", response.statusCode());
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL, and wait until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /**
     * SIGTERM (a drain), and wait for the exit.
     *
     * @param timeout how long to wait
     * @return the exit code
     */
    public int terminate(Duration timeout) {
        process.destroy();
        if (!waitFor(timeout)) {
            throw new IllegalStateException("chat node " + name + " did not exit within " + timeout.toMillis() + " ms of SIGTERM");
        }
        return process.exitValue();
    }

    private boolean waitFor(Duration timeout) {
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exited) {
                RUNNING.remove(process);
            }
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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

    /** @return the WebSocket/HTTP port */
    public int port() {
        return port;
    }

    /** @return the cluster port */
    public int clusterPort() {
        return clusterPort;
    }

    /** @return the label */
    public String name() {
        return name;
    }

    /** @return the log file */
    public Path log() {
        return log;
    }
}
