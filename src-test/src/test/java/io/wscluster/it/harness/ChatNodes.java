package io.wscluster.it.harness;

import io.wscluster.examples.chat.testkit.ChatNodeProcess;
import io.wscluster.testkit.FreePorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * N chat nodes as separate JVMs forming one cluster over loopback. Closing it kills every node it
 * started (by PID), whatever state the test left them in.
 */
public final class ChatNodes implements AutoCloseable {

    /** Failure timeout given to the nodes: detection plus cleanup. */
    public static final Duration FAILURE_TIMEOUT = Duration.ofSeconds(5);

    private final List<ChatNodeProcess> nodes = new ArrayList<>();
    private final List<Integer> clusterPorts = new ArrayList<>();
    private final String clusterName = "wsc-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final Path logDir;

    private ChatNodes(Path logDir) {
        this.logDir = logDir;
    }

    /**
     * Starts {@code count} nodes (the first alone, then the others in parallel) and waits for each one's READY.
     *
     * @param count     nodes
     * @param logDir    where their logs go
     * @param extraArgs flags for every node
     * @return the running nodes
     */
    public static ChatNodes start(int count, Path logDir, String... extraArgs) {
        return start(count, logDir, List.of(), extraArgs);
    }

    /**
     * Starts {@code count} nodes with JVM options (the first alone, then the others in parallel) and waits for each one's READY.
     *
     * @param count     nodes
     * @param logDir    where their logs go
     * @param jvmArgs   JVM options for every node (e.g. Hazelcast system properties)
     * @param extraArgs flags for every node
     * @return the running nodes
     */
    public static ChatNodes start(int count, Path logDir, List<String> jvmArgs, String... extraArgs) {
        ChatNodes cluster = new ChatNodes(logDir);
        int[] ports = FreePorts.of(count * 2);
        String members = java.util.Arrays.stream(ports, count, count * 2)
                .mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        List<String> args = new ArrayList<>(List.of("--failure-timeout-ms", Long.toString(FAILURE_TIMEOUT.toMillis())));
        args.addAll(List.of(extraArgs));
        try {
            for (int i = 0; i < count; i++) {
                cluster.clusterPorts.add(ports[count + i]);
                cluster.nodes.add(startNode("node" + i, ports[i], "127.0.0.1", ports[count + i], members, cluster.clusterName, jvmArgs, args, logDir));
                if (i == 0) {
                    cluster.awaitFirst();
                }
            }
            cluster.awaitFormed(count);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * Starts {@code count} nodes whose cluster links all pass through {@link LinkProxy proxies}, so
     * the test can partition the cluster and heal it. Merge checks run every 2 s.
     *
     * @param count   nodes
     * @param logDir  where their logs go
     * @param proxies filled with one proxy per node
     * @return the running nodes
     */
    public static ChatNodes startBehindProxies(int count, Path logDir, List<LinkProxy> proxies) {
        ChatNodes cluster = new ChatNodes(logDir);
        int[] ports = FreePorts.of(count * 2);
        try {
            for (int i = 0; i < count; i++) {
                proxies.add(new LinkProxy(i, new java.net.InetSocketAddress(LinkProxy.nodeAddress(i), ports[count + i])));
            }
            String members = proxies.stream().map(LinkProxy::address).collect(Collectors.joining(","));
            for (int i = 0; i < count; i++) {
                // Hazelcast accepts only addresses of a network interface for --cluster-host; its
                // hazelcast.local.localAddress property binds any loopback address (127.0.0.1x).
                // Outgoing member connections leave from the public address's host, the node's own.
                List<String> jvm = List.of("-Dhazelcast.local.localAddress=" + LinkProxy.nodeAddress(i),
                        "-Dhazelcast.socket.client.bind.any=false",
                        "-Dhazelcast.local.publicAddress=" + proxies.get(i).address(),
                        "-Dhazelcast.merge.first.run.delay.seconds=2", "-Dhazelcast.merge.next.run.delay.seconds=2");
                // all at once: a first node started alone behind the proxies did not form a cluster within
                // 90 s in a clean-clone run (the proxies accept its join connections whatever is behind them)
                cluster.nodes.add(startNode("node" + i, ports[i], "127.0.0.1", ports[count + i], members,
                        cluster.clusterName, jvm, List.of("--failure-timeout-ms", Long.toString(FAILURE_TIMEOUT.toMillis())), logDir));
            }
            cluster.awaitFormed(count);
        } catch (IOException e) {
            cluster.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * Starts a node; does not wait for READY.
     *
     * @param name        a label for logs
     * @param port        WebSocket/HTTP port
     * @param clusterHost the cluster port's interface
     * @param clusterPort cluster port
     * @param members     seed list, comma separated
     * @param clusterName cluster name
     * @param jvmArgs     JVM options (e.g. -Dhazelcast.local.publicAddress=...)
     * @param extraArgs   further flags (e.g. --failure-timeout-ms 4000)
     * @param logDir      where the node's output goes
     * @return the node
     */
    private static ChatNodeProcess startNode(String name, int port, String clusterHost, int clusterPort, String members, String clusterName,
                                             List<String> jvmArgs, List<String> extraArgs, Path logDir) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx384m", "-XX:+UseSerialGC"));
        jvm.addAll(jvmArgs);
        List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", Integer.toString(port), "--cluster-host", clusterHost,
                "--cluster-port", Integer.toString(clusterPort), "--members", members, "--cluster-name", clusterName));
        args.addAll(extraArgs);
        return ChatNodeProcess.start(name, logDir, jvm, args);
    }

    /**
     * Waits for the first node's READY before the others start, so that they start together
     * and find a master at once. Nodes that all start at the same moment find none: each asks the
     * seeds for a master for Hazelcast's join connection timeout (5 s) before one claims the role;
     * a 3-node cluster started all at once was about 3 s slower to form here (NodeFailureTest's two
     * clusters: 33 s before, 27 s after).
     */
    private void awaitFirst() {
        nodes.get(0).awaitReady(Duration.ofSeconds(90));
    }

    private void awaitFormed(int count) {
        for (ChatNodeProcess node : nodes) {
            node.awaitReady(Duration.ofSeconds(90));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!nodes.stream().allMatch(n -> membersOf(n) == count)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nodes did not see " + count + " members within 60 s; logs in " + logDir);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
    }

    /** @return the members a node reports, or -1 if its /health did not answer (a busy machine) */
    private static int membersOf(ChatNodeProcess node) {
        try {
            return node.health().path("members").asInt();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * @param index 0-based
     * @return that node
     */
    public ChatNodeProcess get(int index) {
        return nodes.get(index);
    }

    /**
     * The Hazelcast master (the oldest member), read from the member list the nodes log: the first
     * member of the newest list in node 0's log. Only for clusters made by {@link #start}.
     *
     * @return the index of the master node
     */
    public int master() {
        String log = nodes.get(0).logText();
        int list = log.lastIndexOf("Members {size:" + nodes.size());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Member \\[[^]]+]:(\\d+)").matcher(log);
        if (list < 0 || !m.find(list)) {
            throw new IllegalStateException("no member list of " + nodes.size() + " in node0's log");
        }
        int index = clusterPorts.indexOf(Integer.parseInt(m.group(1)));
        if (index < 0) {
            throw new IllegalStateException("master port " + m.group(1) + " is none of " + clusterPorts);
        }
        return index;
    }

    /** @return all nodes started */
    public List<ChatNodeProcess> nodes() {
        return nodes;
    }

    /** @return where the logs are */
    public Path logDir() {
        return logDir;
    }

    @Override
    public void close() {
        for (ChatNodeProcess node : nodes) {
            if (node.isAlive()) {
                node.kill();
            }
        }
    }
}
