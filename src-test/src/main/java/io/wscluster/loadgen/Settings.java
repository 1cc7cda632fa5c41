package io.wscluster.loadgen;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Every option of a run; scenario presets fill what the command line leaves out. */
final class Settings {

    @Parameters(index = "0", paramLabel = "SCENARIO",
            description = "fanout | rooms | direct | chat (all options explicit) | idle | connect | jmh (JMH's own arguments follow)")
    String scenario;

    @Option(names = "--target", defaultValue = "both",
            description = {"cluster (chat nodes), ceiling (one plain Tyrus server, no cluster), node (the classic design: --nodes Node.js ws servers",
                    "and one redis-server, from bench/node-baseline; run its setup.sh once), both (= cluster,ceiling), or a comma-separated list",
                    "run one after the other, e.g. cluster,node. Default: ${DEFAULT-VALUE}."})
    String target;

    @Option(names = "--baseline-dir", description = "The classic-design baseline (server.js, node_modules). Default: bench/node-baseline, looked up from the working directory and its parents.")
    Path baselineDir;

    @Option(names = "--node-command", defaultValue = "node", description = "Node.js for --target node. Default: ${DEFAULT-VALUE}.")
    String nodeCommand;

    @Option(names = "--redis-command", defaultValue = "redis-server", description = "redis-server for --target node. Default: ${DEFAULT-VALUE}.")
    String redisCommand;

    @Option(names = "--redis-base-port", defaultValue = "26379", description = "First port to try for --target node's redis-server. Default: ${DEFAULT-VALUE}.")
    int redisBasePort;

    @Option(names = "--ceiling-mode", defaultValue = "plain",
            description = "plain (what an application would write on Tyrus), notimer (no per-frame idle-timeout timer) or tuned (notimer, and room messages framed once). Default: ${DEFAULT-VALUE}.")
    String ceilingMode;

    @Option(names = "--nodes", defaultValue = "2", description = "Chat nodes to start. Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Option(names = "--client-nodes", description = "Connect clients to the first K servers only (the others join the cluster but hold nobody: to check they get no traffic). Default: all.")
    Integer clientNodes;

    @Option(names = "--urls", split = ",", description = "Use running chat nodes instead (ws://127.0.0.1:PORT/chat or 127.0.0.1:PORT), comma-separated.")
    List<String> urls = new ArrayList<>();

    @Option(names = "--pids", split = ",", description = "With --urls: the nodes' PIDs, for CPU and memory figures.")
    List<Long> pids = new ArrayList<>();

    @Option(names = "--chat-jar", description = "The chat node jar. Default: examples/chat/target/wscluster-chat.jar, looked up from the working directory and its parents.")
    Path chatJar;

    @Option(names = "--node-jvm", defaultValue = "-Xms64m -Xmx512m -XX:+UseSerialGC",
            description = "JVM options of every server started (chat nodes and the ceiling alike). Default: ${DEFAULT-VALUE}.")
    String nodeJvm;

    @Option(names = "--node-arg", description = "An extra chat node flag (repeatable), e.g. --node-arg=--max-queued-messages --node-arg=4096.")
    List<String> nodeArgs = new ArrayList<>();

    @Option(names = "--rate-limit", defaultValue = "0", description = "The chat nodes' --rate-limit. Default: ${DEFAULT-VALUE} (off).")
    String rateLimit;

    @Option(names = "--base-port", defaultValue = "28080", description = "First WebSocket port to try (below the ephemeral range). Default: ${DEFAULT-VALUE}.")
    int basePort;

    @Option(names = "--cluster-base-port", defaultValue = "25801", description = "First cluster port to try. Default: ${DEFAULT-VALUE}.")
    int clusterBasePort;

    @Option(names = "--clients", description = "Connections (one user each).")
    Integer clients;

    @Option(names = "--rooms", description = "Rooms; client i joins room i %% rooms (0: no rooms, direct messages).")
    Integer rooms;

    @Option(names = "--publishers", description = "Publishing connections (the first ones; with rooms, spread over the rooms).")
    Integer publishers;

    @Option(names = "--rate", description = "Sends per second, all publishers together; 0 = as fast as the window allows (closed loop).")
    Double rate;

    @Option(names = "--delivery-rate", description = "Target deliveries per second instead of --rate (sends/s = this / receivers per send).")
    Double deliveryRate;

    @Option(names = "--window", description = "Closed loop (--rate 0): sends per publisher not yet delivered to every receiver. Default 1.")
    Integer window;

    @Option(names = "--payload", defaultValue = "100", description = "Body length in bytes (at least 40). Default: ${DEFAULT-VALUE}.")
    int payload;

    @Option(names = "--duration", defaultValue = "20", description = "Measured seconds. Default: ${DEFAULT-VALUE}.")
    double duration;

    @Option(names = "--warmup", defaultValue = "5", description = "Unmeasured seconds of the same load first. Default: ${DEFAULT-VALUE}.")
    double warmup;

    @Option(names = "--drain", defaultValue = "10", description = "Longest wait, in seconds, for messages in flight after the window. Default: ${DEFAULT-VALUE}.")
    double drain;

    @Option(names = "--io-threads", defaultValue = "1", description = "Client selector threads. Default: ${DEFAULT-VALUE}.")
    int ioThreads;

    @Option(names = "--connect-concurrency", defaultValue = "200", description = "Handshakes in flight at once. Default: ${DEFAULT-VALUE}.")
    int connectConcurrency;

    @Option(names = "--hold", defaultValue = "5", description = "idle: seconds to wait after the last connect before reading memory. Default: ${DEFAULT-VALUE}.")
    double hold;

    @Option(names = "--warm-connects", defaultValue = "500",
            description = "idle/connect: connections opened and closed three times before the measured ones, to warm the servers up. Default: ${DEFAULT-VALUE}.")
    int warmConnects;

    @Option(names = "--histogram", description = "idle: save each server's class histogram (jcmd GC.class_histogram) before the connects and with the connections open, and a table of what one connection holds, by class.")
    boolean histogram;

    @Option(names = "--jfr", description = "Record every server with JFR (settings=profile) into this directory.")
    Path jfrDir;

    @Option(names = "--log-dir", defaultValue = "loadgen-logs", description = "Where server logs go. Default: ${DEFAULT-VALUE}.")
    Path logDir;

    @Option(names = "--label", description = "A label for the report rows.")
    String label;

    @Option(names = "--max-seconds", defaultValue = "600", description = "Hard bound of the whole invocation; the generator stops everything past it. Default: ${DEFAULT-VALUE}.")
    int maxSeconds;

    /** Applies the scenario's defaults to what the command line left unset. */
    void applyPreset() {
        switch (scenario) {
            case "fanout" -> preset(1_000, 1, 10, 1);
            case "rooms" -> preset(1_000, 200, 200, 2);
            case "direct" -> preset(1_000, 0, 1_000, 2);
            case "chat" -> preset(100, 1, 1, 1);
            case "idle" -> preset(5_000, 0, 0, 1);
            case "connect" -> preset(2_000, 0, 0, 1);
            default -> throw new IllegalArgumentException("unknown scenario '" + scenario
                    + "'; one of fanout, rooms, direct, chat, idle, connect, jmh");
        }
        if (payload < 40) {
            throw new IllegalArgumentException("--payload must be >= 40 but was " + payload);
        }
        if (rooms > 0 && publishers > clients) {
            throw new IllegalArgumentException("--publishers must be <= --clients");
        }
        if (rate == null) {
            rate = 0.0;
        }
        if (deliveryRate != null) {
            rate = deliveryRate / receiversPerSend();
        }
        if (!List.of("plain", "notimer", "tuned").contains(ceilingMode)) {
            throw new IllegalArgumentException("--ceiling-mode must be plain, notimer or tuned but was " + ceilingMode);
        }
        targets();
    }

    /** @return the targets to run, in order: cluster, ceiling or node ("both" = cluster then ceiling) */
    List<String> targets() {
        List<String> all = new ArrayList<>();
        for (String t : target.split(",")) {
            switch (t.trim()) {
                case "both" -> all.addAll(List.of("cluster", "ceiling"));
                case "cluster", "ceiling", "node" -> all.add(t.trim());
                default -> throw new IllegalArgumentException("--target must be cluster, ceiling, node, both or a comma-separated list of them but was " + target);
            }
        }
        return all;
    }

    private void preset(int c, int r, int p, int w) {
        clients = clients == null ? c : clients;
        rooms = rooms == null ? r : rooms;
        publishers = publishers == null ? Math.min(p, clients) : publishers;
        window = window == null ? w : window;
    }

    /** @return receivers of one send: the room's members (sender included), or 1 for a direct message */
    double receiversPerSend() {
        return rooms == 0 ? 1 : (double) clients / rooms;
    }

    boolean isIdle() {
        return scenario.equals("idle") || scenario.equals("connect");
    }

    /** @return the directory holding the baseline's server.js, with its npm dependencies installed */
    Path baselineDir() {
        Path found = baselineDir == null ? null : baselineDir.toAbsolutePath();
        for (Path dir = Path.of("").toAbsolutePath(); found == null && dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("bench/node-baseline/server.js"))) {
                found = dir.resolve("bench/node-baseline");
            }
        }
        if (found == null || !Files.isRegularFile(found.resolve("server.js"))) {
            throw new IllegalStateException("bench/node-baseline/server.js not found; run from the repository or pass --baseline-dir");
        }
        if (!Files.isDirectory(found.resolve("node_modules/ws")) || !Files.isDirectory(found.resolve("node_modules/ioredis"))) {
            throw new IllegalStateException("the baseline's npm dependencies are missing; run " + found.resolve("setup.sh") + " once");
        }
        return found;
    }

    Path chatJar() {
        if (chatJar != null) {
            return chatJar.toAbsolutePath();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path jar = dir.resolve("examples/chat/target/wscluster-chat.jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("chat jar not found (examples/chat/target/wscluster-chat.jar); build it or pass --chat-jar");
    }
}
