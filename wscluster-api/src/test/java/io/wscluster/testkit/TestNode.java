package io.wscluster.testkit;

import io.wscluster.Cluster;
import io.wscluster.spi.SessionHost;

import java.util.Objects;

/**
 * One node of a cluster under test: its {@link Cluster} handle, the recording server attached to it,
 * and the session host that server got from {@link Cluster#attachServer}.
 *
 * @param cluster the node's cluster handle
 * @param server  what the cluster asked this node to write to its sockets
 * @param host    registers this node's sessions
 */
public record TestNode(Cluster cluster, RecordingDelivery server, SessionHost host) {

    /** Checks the parts. */
    public TestNode {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(host, "host");
    }

    /**
     * Attaches a fresh recording server to a cluster node.
     *
     * @param cluster a node with no server attached yet
     * @return the node with its server
     */
    public static TestNode attach(Cluster cluster) {
        RecordingDelivery server = new RecordingDelivery();
        return new TestNode(cluster, server, cluster.attachServer(server));
    }
}
