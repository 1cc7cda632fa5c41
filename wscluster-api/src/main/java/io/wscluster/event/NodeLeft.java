package io.wscluster.event;

import io.wscluster.Node;

import java.util.Objects;

/**
 * A node left the cluster.
 *
 * @param node the node that left
 * @param lost true if it died or became unreachable, false if it drained and left on purpose
 * @since 0.1.0
 */
public record NodeLeft(Node node, boolean lost) {

    /** Creates the event. */
    public NodeLeft {
        Objects.requireNonNull(node, "node");
    }
}
