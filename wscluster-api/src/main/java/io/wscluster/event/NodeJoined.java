package io.wscluster.event;

import io.wscluster.Node;

import java.util.Objects;

/**
 * A node joined the cluster.
 *
 * @param node the new node
 * @since 0.1.0
 */
public record NodeJoined(Node node) {

    /** Creates the event. */
    public NodeJoined {
        Objects.requireNonNull(node, "node");
    }
}
