package io.wscluster;

import java.time.Duration;

/**
 * The one unchecked exception of wscluster: the cluster could not do what was asked.
 *
 * <p>Made only by its static factories, each naming the object involved.
 *
 * @since 0.1.0
 */
public class ClusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong
     * @param cause   the underlying failure, may be null
     */
    protected ClusterException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The local node has left the cluster.
     *
     * @param node the local node
     * @return the exception
     */
    public static ClusterException closed(NodeId node) {
        return new ClusterException("Node '" + node + "' has left the cluster and accepts no more work", null);
    }

    /**
     * An operation did not finish in time.
     *
     * @param what    the operation, e.g. "join of session 'k3v9x2qa-1f' to room 'lobby'"
     * @param timeout how long it was given
     * @return the exception
     */
    public static ClusterException timedOut(String what, Duration timeout) {
        return new ClusterException(what + " did not complete within " + timeout.toMillis() + " ms", null);
    }

    /**
     * The cluster's data store failed.
     *
     * @param what  the operation
     * @param cause the failure
     * @return the exception
     */
    public static ClusterException failed(String what, Throwable cause) {
        return new ClusterException(what + " failed: " + cause, cause);
    }

    /**
     * A second server tried to attach to a node that already has one.
     *
     * @param node the node
     * @return the exception
     */
    public static ClusterException alreadyAttached(NodeId node) {
        return new ClusterException("Node '" + node + "' already has a server attached; attach one server per node", null);
    }

    /**
     * The local node cannot act for its clients now: it may have been declared gone by the others
     * (it stalled or was cut off) and has not re-entered the cluster yet.
     *
     * @param node the local node
     * @param why  what happened, e.g. "stalled for 6200 ms"
     * @return the exception
     * @since 0.2.0
     */
    public static ClusterException unavailable(NodeId node, String why) {
        return new ClusterException("Node '" + node + "' is out of the cluster (" + why + ") and serves no client until it"
                + " has re-entered it; try again", null);
    }
}
