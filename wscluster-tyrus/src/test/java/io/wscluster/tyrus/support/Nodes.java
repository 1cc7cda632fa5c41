package io.wscluster.tyrus.support;

import io.wscluster.Cluster;
import io.wscluster.testkit.InMemoryCluster;
import io.wscluster.testkit.InMemoryNetwork;
import io.wscluster.tyrus.WsServer;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Nodes in this JVM: logical nodes of one in-memory cluster ({@link InMemoryNetwork}), each with a
 * {@link WsServer} on its own 127.0.0.1 port. No Hazelcast: what is about Hazelcast is tested in
 * wscluster-hazelcast and src-test.
 */
public final class Nodes implements AutoCloseable {

    static {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }

    /**
     * One node.
     *
     * @param cluster the node's cluster handle
     * @param server  its server
     */
    public record Node(Cluster cluster, WsServer server) {

        /** @return {@code ws://127.0.0.1:PORT} + path */
        public URI ws(String pathAndQuery) {
            return URI.create("ws://127.0.0.1:" + server.port() + pathAndQuery);
        }

        /** @return the server port */
        public int port() {
            return server.port();
        }
    }

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<Node> nodes = new ArrayList<>();
    private final List<InMemoryCluster> members = new ArrayList<>();

    /**
     * Starts {@code count} nodes that form one cluster.
     *
     * @param count     nodes
     * @param configure adjusts each server builder (endpoints, limits); the cluster is already set
     * @return the nodes
     */
    public static Nodes start(int count, Consumer<WsServer.Builder> configure) {
        Nodes result = new Nodes();
        try {
            for (int i = 0; i < count; i++) {
                result.join(configure);
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
        Cluster cluster = newMember();
        WsServer.Builder builder = WsServer.builder().host("127.0.0.1").port(0).cluster(cluster)
                .closeClusterOnDrain(false);
        configure.accept(builder);
        Node node = new Node(cluster, builder.build().start());
        nodes.add(node);
        return node;
    }

    /**
     * Starts one more cluster node, with no server, that joins the running ones; closed with the others.
     *
     * @return the node
     */
    public Cluster newMember() {
        InMemoryCluster member = network.newNode();
        synchronized (members) {
            members.add(member);
        }
        return member;
    }

    /** @return node {@code i} */
    public Node get(int i) {
        return nodes.get(i);
    }

    /** @return all nodes */
    public List<Node> all() {
        return nodes;
    }

    /** Stops every server and stops every node at once (no graceful leave). */
    @Override
    public void close() {
        for (Node n : nodes) {
            n.server().drain();
        }
        synchronized (members) {
            for (InMemoryCluster member : members) {
                member.crash();
            }
        }
    }
}
