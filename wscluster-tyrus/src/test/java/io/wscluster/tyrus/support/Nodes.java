package io.wscluster.tyrus.support;

import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.tyrus.WsServer;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Real nodes in this JVM: each one a Hazelcast member (unique cluster name, loopback, small partition
 * count) with a {@link WsServer} on its own 127.0.0.1 port.
 */
public final class Nodes implements AutoCloseable {

    static {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }

    /** One node. */
    public record Node(HazelcastCluster cluster, WsServer server) {

        /** @return {@code ws://127.0.0.1:PORT} + path */
        public URI ws(String pathAndQuery) {
            return URI.create("ws://127.0.0.1:" + server.port() + pathAndQuery);
        }

        /** @return the server port */
        public int port() {
            return server.port();
        }
    }

    /**
     * Failure detection of the members: 30 s. No test of this module loses a node (node loss is tested
     * in wscluster-hazelcast and src-test), and with a few seconds a CPU-starved machine (a busy CI
     * runner) splits the in-JVM cluster and fails unrelated tests.
     */
    public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(30);

    private final List<Node> nodes = new ArrayList<>();
    private final List<HazelcastCluster> extraMembers = new ArrayList<>();
    private final List<String> seeds = new ArrayList<>();
    private String name;
    private Duration failureTimeout = DEFAULT_FAILURE_TIMEOUT;

    /**
     * Starts {@code count} nodes that form one cluster.
     *
     * @param count     nodes
     * @param configure adjusts each server builder (endpoints, limits); the cluster is already set
     * @return the nodes
     */
    public static Nodes start(int count, Consumer<WsServer.Builder> configure) {
        return start(count, DEFAULT_FAILURE_TIMEOUT, configure);
    }

    /**
     * Starts {@code count} nodes that form one cluster, with a given failure detection timeout (a short
     * one for a test that loses a node).
     *
     * @param count          nodes
     * @param failureTimeout how long a silent member is kept
     * @param configure      adjusts each server builder (endpoints, limits); the cluster is already set
     * @return the nodes
     */
    public static Nodes start(int count, Duration failureTimeout, Consumer<WsServer.Builder> configure) {
        Nodes result = new Nodes();
        result.failureTimeout = failureTimeout;
        result.name = "wsc-tyrus-" + UUID.randomUUID().toString().substring(0, 8);
        int[] ports = freePorts(count);
        for (int i = 0; i < count; i++) {
            result.seeds.add("127.0.0.1:" + ports[i]);
        }
        try {
            List<HazelcastCluster> members = new ArrayList<>();
            for (int port : ports) {
                // every member binds its reserved port before any server binds a port of its own
                HazelcastCluster member = result.member(port);
                members.add(member);
                synchronized (result.extraMembers) {
                    result.extraMembers.add(member);
                }
            }
            for (HazelcastCluster member : members) {
                result.startNode(member, configure);
            }
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
        return result;
    }

    /**
     * Starts one more node that joins the running ones (a node started later, e.g. after scale-out).
     *
     * @param configure adjusts its server builder
     * @return the new node, also listed by {@link #all()}
     */
    public Node join(Consumer<WsServer.Builder> configure) {
        return startNode(newMember(), configure);
    }

    /**
     * Starts one more cluster member, with no server, that joins the running ones; closed with the others.
     *
     * @return the member
     */
    public HazelcastCluster newMember() {
        HazelcastCluster member = member(freePorts(1)[0]);
        synchronized (extraMembers) {
            extraMembers.add(member);
        }
        return member;
    }

    private HazelcastCluster member(int port) {
        List<String> members = new ArrayList<>(seeds);
        members.add("127.0.0.1:" + port);
        return HazelcastCluster.builder()
                .clusterName(name)
                .bindAddress("127.0.0.1")
                .port(port)
                .members(members.stream().distinct().toArray(String[]::new))
                .failureTimeout(failureTimeout)
                .property("hazelcast.partition.count", "23")
                .property("hazelcast.wait.seconds.before.join", "0")
                .build();
    }

    private Node startNode(HazelcastCluster cluster, Consumer<WsServer.Builder> configure) {
        WsServer.Builder builder = WsServer.builder().host("127.0.0.1").port(0).cluster(cluster)
                .closeClusterOnDrain(false);
        configure.accept(builder);
        Node node = new Node(cluster, builder.build().start());
        nodes.add(node);
        return node;
    }

    /** @return node {@code i} */
    public Node get(int i) {
        return nodes.get(i);
    }

    /** @return all nodes */
    public List<Node> all() {
        return nodes;
    }

    /** Stops every server and terminates every member (fast; no graceful leave). */
    @Override
    public void close() {
        for (Node n : nodes) {
            n.server().drain();
        }
        Set<HazelcastCluster> members = Collections.newSetFromMap(new IdentityHashMap<>());
        nodes.forEach(n -> members.add(n.cluster()));
        synchronized (extraMembers) {
            members.addAll(extraMembers);
        }
        for (HazelcastCluster member : members) {
            try {
                member.crash();
            } catch (RuntimeException e) {
                // already left (a drain closed it)
            }
        }
    }

    /**
     * @param count how many
     * @return distinct free ports below the ephemeral range (the core's test kit)
     */
    public static int[] freePorts(int count) {
        return io.wscluster.hazelcast.testkit.ClusterFixture.freePorts(count);
    }
}
