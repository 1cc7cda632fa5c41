package io.wscluster;

/**
 * Counters of what this node's cluster core has done since it started; monotonic, cheap to read.
 * A metrics library polls them (wscluster-hazelcast has a Micrometer binder).
 *
 * @param messagesSent     messages this node routed through {@link Messenger#send}
 * @param localDeliveries  session writes this node handed to its server (one per receiving session)
 * @param envelopesOut     messages and requests this node sent to other nodes
 * @param bytesOut         their encoded size in bytes
 * @param envelopesIn      messages and requests this node received from other nodes
 * @param bytesIn          their encoded size in bytes
 * @param requestsTimedOut requests to other nodes that got no answer in time
 * @param nodesLost        lost nodes whose sessions this node removed
 * @param routingNanos     total time spent routing {@link #messagesSent} (lookup and hand-off, not delivery)
 * @since 0.1.0
 */
public record ClusterStats(long messagesSent, long localDeliveries, long envelopesOut, long bytesOut,
                           long envelopesIn, long bytesIn, long requestsTimedOut, long nodesLost, long routingNanos) {
}
