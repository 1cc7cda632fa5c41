package io.wscluster.loadgen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
 * A server the generator started (a chat node or the ceiling server, both JVMs, or a process of the
 * classic-design baseline: a Node.js node or its redis-server), known by its PID, its
 * output in a log file. Stopped by PID at the end of every run, and by a shutdown hook if the
 * generator itself is stopped.
 */
final class NodeProcess {

    private static final Set<NodeProcess> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (NodeProcess node : RUNNING) {
                node.process.destroyForcibly();
            }
        }, "loadgen-node-reaper"));
    }

    final String name;
    final int port;
    final Path log;
    private final Process process;
    private final String readyMarker;

    private NodeProcess(String name, int port, Path log, Process process, String readyMarker) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
        this.readyMarker = readyMarker;
    }

    long pid() {
        return process.pid();
    }

    /** Starts a chat node from the chat jar, bound to 127.0.0.1. */
    static NodeProcess chat(String name, Path jar, List<String> jvm, int port, int clusterPort, String members,
                            String clusterName, List<String> extra, Path logDir) {
        List<String> command = new ArrayList<>();
        command.add(javaCommand());
        command.addAll(jvm);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of("--host", "127.0.0.1", "--port", Integer.toString(port),
                "--cluster-host", "127.0.0.1", "--cluster-port", Integer.toString(clusterPort),
                "--members", members, "--cluster-name", clusterName));
        command.addAll(extra);
        return start(name, port, command, logDir);
    }

    /** Starts the ceiling server (plain Tyrus, no cluster) from this generator's own class path. */
    static NodeProcess ceiling(String name, List<String> jvm, int port, String mode, Path logDir) {
        List<String> command = new ArrayList<>();
        command.add(javaCommand());
        command.addAll(jvm);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CeilingServer.class.getName());
        command.add(Integer.toString(port));
        command.add(mode);
        return start(name, port, command, logDir);
    }

    /** Starts one node of the classic-design baseline: {@code node server.js}, on 127.0.0.1, against a redis-server. */
    static NodeProcess baseline(String name, String nodeCommand, Path dir, int port, int redisPort, String rateLimit, Path logDir) {
        List<String> command = List.of(nodeCommand, dir.resolve("server.js").toString(), "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--redis-port", Integer.toString(redisPort), "--node", name,
                "--rate-limit", rateLimit);
        return start(name, port, command, logDir, "READY " + port);
    }

    /** Starts a redis-server bound to 127.0.0.1, without persistence, for the baseline's pub/sub. */
    static NodeProcess redis(String name, String redisCommand, int port, Path logDir) {
        List<String> command = List.of(redisCommand, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--maxclients", "1000");
        return start(name, port, command, logDir, "Ready to accept connections");
    }

    private static NodeProcess start(String name, int port, List<String> command, Path logDir) {
        return start(name, port, command, logDir, "READY " + port);
    }

    private static NodeProcess start(String name, int port, List<String> command, Path logDir, String readyMarker) {
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            Files.deleteIfExists(log);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            NodeProcess node = new NodeProcess(name, port, log, process, readyMarker);
            RUNNING.add(node);
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + " (" + command.get(0) + ")"
                    + (command.get(0).endsWith("java") ? "" : "; bench/node-baseline/setup.sh installs it"), e);
        }
    }

    /** Waits for the line that says the server is ready ({@code READY <port>} for chat nodes). */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String marker = readyMarker;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " (pid " + pid() + ") exited with " + process.exitValue()
                        + " before READY; see " + log);
            }
            if (logText().contains(marker)) {
                return;
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException(name + " not READY within " + timeout.toSeconds() + " s; see " + log);
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    long cpuNanos() {
        return Proc.cpuNanos(pid());
    }

    long rssBytes() {
        return Proc.rssBytes(pid());
    }

    /** Sends SIGTERM (a chat node drains); {@link #stop} then waits. */
    void terminate() {
        process.destroy();
    }

    /** SIGTERM (the node drains), then SIGKILL if it is still there after the grace time. */
    void stop(Duration grace) {
        try {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            RUNNING.remove(this);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** @return the first port at or after {@code from} that 127.0.0.1 can bind, skipping {@code taken} */
    static int freePort(int from, Set<Integer> taken) {
        for (int port = from; port < from + 500; port++) {
            if (taken.contains(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress("127.0.0.1", port));
                taken.add(port);
                return port;
            } catch (IOException e) {
                // taken; try the next
            }
        }
        throw new IllegalStateException("no free port in " + from + ".." + (from + 499));
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
