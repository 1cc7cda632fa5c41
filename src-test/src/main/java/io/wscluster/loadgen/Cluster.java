package io.wscluster.loadgen;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The servers under load in one run: chat nodes, the ceiling server or the classic-design baseline
 * (Node.js nodes and their redis-server) the generator started as child processes (their PIDs
 * known), or servers started elsewhere (addresses and optional PIDs). For the baseline, the
 * redis-server's PID comes last in {@link #pids} and has no address: its CPU and memory count as
 * the servers', as Hazelcast's count inside a chat node.
 */
final class Cluster implements AutoCloseable {

    private static final Pattern CLUSTER_SESSIONS = Pattern.compile("\"clusterSessions\"\\s*:\\s*(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String kind;
    final List<InetSocketAddress> addresses;
    final List<Long> pids;
    private final List<NodeProcess> started;

    private Cluster(String kind, List<InetSocketAddress> addresses, List<Long> pids, List<NodeProcess> started) {
        this.kind = kind;
        this.addresses = addresses;
        this.pids = pids;
        this.started = started;
    }

    /**
     * Starts the servers of one target.
     *
     * @param target cluster, ceiling or node (see {@link Settings#targets()})
     */
    static Cluster start(Settings s, String target) throws InterruptedException {
        if (target.equals("node")) {
            return startBaseline(s);
        }
        boolean ceiling = target.equals("ceiling");
        if (!ceiling && !s.urls.isEmpty()) {
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (String url : s.urls) {
                String hostPort = url.replaceFirst("^wss?://", "").replaceFirst("/.*$", "");
                int colon = hostPort.lastIndexOf(':');
                String host = hostPort.substring(0, colon);
                if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
                    throw new IllegalArgumentException("--urls: only 127.0.0.1 is allowed but got " + url);
                }
                addresses.add(new InetSocketAddress("127.0.0.1", Integer.parseInt(hostPort.substring(colon + 1))));
            }
            return new Cluster("cluster", addresses, List.copyOf(s.pids), List.of());
        }
        Set<Integer> taken = new HashSet<>();
        List<NodeProcess> nodes = new ArrayList<>();
        List<String> jvm = new ArrayList<>(List.of(s.nodeJvm.trim().split("\\s+")));
        try {
            if (ceiling) {
                int port = NodeProcess.freePort(s.basePort, taken);
                nodes.add(NodeProcess.ceiling("ceiling", withJfr(s, jvm, "ceiling"), port, s.ceilingMode, s.logDir));
            } else {
                Path jar = s.chatJar();
                int[] ports = new int[s.nodes];
                List<String> members = new ArrayList<>();
                int[] clusterPorts = new int[s.nodes];
                for (int i = 0; i < s.nodes; i++) {
                    ports[i] = NodeProcess.freePort(s.basePort, taken);
                    clusterPorts[i] = NodeProcess.freePort(s.clusterBasePort, taken);
                    members.add("127.0.0.1:" + clusterPorts[i]);
                }
                String clusterName = "loadgen-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
                List<String> extra = new ArrayList<>(List.of("--rate-limit", s.rateLimit, "--max-connections",
                        Integer.toString(Math.max(20_000, s.clients + 100))));
                extra.addAll(s.nodeArgs);
                for (int i = 0; i < s.nodes; i++) {
                    nodes.add(NodeProcess.chat("node" + (i + 1), jar, withJfr(s, jvm, "node" + (i + 1)), ports[i],
                            clusterPorts[i], String.join(",", members), clusterName, extra, s.logDir));
                }
            }
            for (NodeProcess node : nodes) {
                node.awaitReady(Duration.ofSeconds(90));
            }
        } catch (RuntimeException | InterruptedException e) {
            stopAll(nodes);
            throw e;
        }
        return of(ceiling ? (s.ceilingMode.equals("plain") ? "ceiling" : "ceiling-" + s.ceilingMode) : "cluster", nodes, List.of());
    }

    /** The classic design: one redis-server, then --nodes Node.js servers publishing through it. */
    private static Cluster startBaseline(Settings s) throws InterruptedException {
        Path dir = s.baselineDir();
        Set<Integer> taken = new HashSet<>();
        List<NodeProcess> nodes = new ArrayList<>();
        NodeProcess redis = null;
        try {
            redis = NodeProcess.redis("redis", s.redisCommand, NodeProcess.freePort(s.redisBasePort, taken), s.logDir);
            redis.awaitReady(Duration.ofSeconds(30));
            for (int i = 0; i < s.nodes; i++) {
                nodes.add(NodeProcess.baseline("nodejs" + (i + 1), s.nodeCommand, dir, NodeProcess.freePort(s.basePort, taken),
                        redis.port, s.rateLimit, s.logDir));
            }
            for (NodeProcess node : nodes) {
                node.awaitReady(Duration.ofSeconds(60));
            }
        } catch (RuntimeException | InterruptedException e) {
            stopAll(nodes);
            if (redis != null) {
                redis.stop(Duration.ofSeconds(2));
            }
            throw e;
        }
        return of("node", nodes, List.of(redis));
    }

    /** Servers the clients connect to, and processes besides them (Redis) whose CPU and memory count too. */
    private static Cluster of(String kind, List<NodeProcess> servers, List<NodeProcess> others) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        List<NodeProcess> all = new ArrayList<>(servers);
        all.addAll(others);
        for (NodeProcess server : servers) {
            addresses.add(new InetSocketAddress("127.0.0.1", server.port));
        }
        List<Long> pids = all.stream().map(NodeProcess::pid).toList();
        return new Cluster(kind, addresses, new ArrayList<>(pids), all);
    }

    private static void stopAll(List<NodeProcess> nodes) {
        for (NodeProcess node : nodes) {
            node.stop(Duration.ofSeconds(2));
        }
    }

    private static List<String> withJfr(Settings s, List<String> jvm, String name) {
        List<String> all = new ArrayList<>(jvm);
        if (s.jfrDir != null) {
            try {
                Files.createDirectories(s.jfrDir);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            all.add("-XX:StartFlightRecording=filename=" + s.jfrDir.resolve(name + ".jfr").toAbsolutePath()
                    + ",settings=profile,dumponexit=true");
        }
        return all;
    }

    boolean isCeiling() {
        return kind.startsWith("ceiling");
    }

    /** @return whether the servers are JVMs (jcmd works); the baseline's Node.js and Redis are not */
    boolean isJvm() {
        return !kind.equals("node");
    }

    long[] cpuNanos() {
        long[] cpu = new long[pids.size()];
        for (int i = 0; i < cpu.length; i++) {
            cpu[i] = Proc.cpuNanos(pids.get(i));
        }
        return cpu;
    }

    long[] rssBytes() {
        long[] rss = new long[pids.size()];
        for (int i = 0; i < rss.length; i++) {
            rss[i] = Proc.rssBytes(pids.get(i));
        }
        return rss;
    }

    long[] heapAfterGc() {
        long[] heap = new long[pids.size()];
        for (int i = 0; i < heap.length; i++) {
            // jcmd's attach would send SIGQUIT to a process that is no JVM, which ends it.
            heap[i] = isJvm() ? Proc.heapUsedAfterGc(pids.get(i)) : -1;
        }
        return heap;
    }

    /** @return the chat node's /health clusterSessions of the first node, or -1 (the ceiling and the baseline have none) */
    long clusterSessions() {
        if (!kind.equals("cluster")) {
            return -1;
        }
        InetSocketAddress a = addresses.get(0);
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = CLUSTER_SESSIONS.matcher(r.body());
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    List<String> logs() {
        List<String> logs = new ArrayList<>();
        for (NodeProcess node : started) {
            logs.add(node.log.toString());
        }
        return logs;
    }

    /** Stops every server this generator started, by PID (the baseline's redis-server last: it is last in the list). */
    @Override
    public void close() {
        for (NodeProcess node : started) {
            if (!node.name.equals("redis")) {
                node.terminate();
            }
        }
        for (NodeProcess node : started) {
            node.stop(Duration.ofSeconds(15));
        }
    }
}
