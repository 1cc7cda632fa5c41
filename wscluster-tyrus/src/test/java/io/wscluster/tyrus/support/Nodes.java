package io.wscluster.tyrus.support;

import io.wscluster.Cluster;
import io.wscluster.testkit.InMemoryCluster;
import io.wscluster.testkit.InMemoryNetwork;
import io.wscluster.tyrus.WsServer;
import io.wscluster.tyrus.WsServerBuilder;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * Nodes in this JVM, each a cluster node with a {@link WsServer} on its own 127.0.0.1 port. The
 * cluster is the in-memory one ({@link InMemoryNetwork}: no Hazelcast in this module's tests) unless
 * a {@link Backend} service is on the class path: src-test registers one that starts Hazelcast
 * members, and runs the cross-node tests of the Tyrus cluster SPI on it.
 */
public final class Nodes implements AutoCloseable {

    /**
     * Where the nodes' clusters come from; a fresh instance per {@link Nodes}, found with
     * {@link ServiceLoader}.
     */
    public interface Backend extends AutoCloseable {

        /** @return a new node of this backend's one cluster, with no server attached */
        Cluster newNode();

        /** Stops every node this backend made, at once (no graceful leave). */
        @Override
        void close();
    }

    /** The default backend: logical nodes of one in-memory network. */
    private static final class InMemory implements Backend {

        private final InMemoryNetwork network = new InMemoryNetwork();
        private final List<InMemoryCluster> made = new ArrayList<>();

        @Override
        public synchronized Cluster newNode() {
            InMemoryCluster node = network.newNode();
            made.add(node);
            return node;
        }

        @Override
        public synchronized void close() {
            made.forEach(InMemoryCluster::crash);
        }
    }

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

    private final Backend backend = ServiceLoader.load(Backend.class).findFirst().orElseGet(InMemory::new);
    private final List<Node> nodes = new ArrayList<>();

    /**
     * Starts {@code count} nodes that form one cluster.
     *
     * @param count     nodes
     * @param configure adjusts each server builder (endpoints, limits); the cluster is already set
     * @return the nodes
     */
    public static Nodes start(int count, Consumer<WsServerBuilder> configure) {
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
    public Node join(Consumer<WsServerBuilder> configure) {
        Cluster cluster = newMember();
        WsServerBuilder builder = WsServer.builder().host("127.0.0.1").port(0).cluster(cluster)
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
        return backend.newNode();
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
        backend.close();
    }
}
