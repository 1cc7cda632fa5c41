package io.wscluster.tyrus.support;

import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.tyrus.WsServer;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Real nodes in this JVM: each one a Hazelcast member (unique cluster name, loopback, fast failure
 * detection) with a {@link WsServer} on its own 127.0.0.1 port.
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

    private final List<Node> nodes = new ArrayList<>();

    /**
     * Starts {@code count} nodes that form one cluster.
     *
     * @param count     nodes
     * @param configure adjusts each server builder (endpoints, limits); the cluster is already set
     * @return the nodes
     */
    public static Nodes start(int count, Consumer<WsServer.Builder> configure) {
        Nodes result = new Nodes();
        String name = "wsc-tyrus-" + UUID.randomUUID().toString().substring(0, 8);
        int[] ports = freePorts(count);
        String[] seeds = new String[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = "127.0.0.1:" + ports[i];
        }
        try {
            for (int port : ports) {
                HazelcastCluster cluster = HazelcastCluster.builder()
                        .clusterName(name)
                        .bindAddress("127.0.0.1")
                        .port(port)
                        .members(seeds)
                        .failureTimeout(Duration.ofSeconds(3))
                        .property("hazelcast.partition.count", "23")
                        .property("hazelcast.wait.seconds.before.join", "0")
                        .build();
                WsServer.Builder builder = WsServer.builder().host("127.0.0.1").port(0).cluster(cluster)
                        .closeClusterOnDrain(false);
                configure.accept(builder);
                result.nodes.add(new Node(cluster, builder.build().start()));
            }
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
        return result;
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
        for (Node n : nodes) {
            try {
                n.cluster().crash();
            } catch (RuntimeException e) {
                // already left (a drain closed it)
            }
        }
    }

    /**
     * Free ports on 127.0.0.1.
     *
     * @param count how many
     * @return distinct ports
     */
    public static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
