package io.wscluster;

import java.time.Instant;
import java.util.Objects;

/**
 * One live node of the cluster, as the registry knows it.
 *
 * @param id       the node's identity, also the prefix of its session ids
 * @param address  the node's cluster address ({@code host:port}), for operators to read
 * @param joinedAt when the node joined the cluster
 * @since 0.1.0
 */
public record Node(NodeId id, String address, Instant joinedAt) {

    /**
     * Creates a node value.
     */
    public Node {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(joinedAt, "joinedAt");
    }
}
