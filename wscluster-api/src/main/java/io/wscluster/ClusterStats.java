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
 * @param historyRooms     history rooms whose sequence this node holds now (a gauge, not a counter; since 0.2.0)
 * @param replaysServed    joins and reads this node served from history (since 0.2.0)
 * @param messagesReplayed messages this node replayed to its sessions (since 0.2.0)
 * @param recoveriesRefused {@link Replay#since(Position)} joins answered {@code recovered = false}: a gap
 *                         beyond the history or another epoch (since 0.2.0)
 * @param messagesRejected messages and records from other nodes that this node dropped because they were not
 *                         authenticated with the cluster secret: a process without the secret is writing to
 *                         the cluster (since 0.2.0)
 * @param untrustedMembers cluster members that are no node of this cluster (no record authenticated with the
 *                         cluster secret); never routed to (a gauge; 0 without a secret; since 0.2.0)
 * @since 0.1.0
 */
public record ClusterStats(long messagesSent, long localDeliveries, long envelopesOut, long bytesOut,
                           long envelopesIn, long bytesIn, long requestsTimedOut, long nodesLost, long routingNanos,
                           long historyRooms, long replaysServed, long messagesReplayed, long recoveriesRefused,
                           long messagesRejected, int untrustedMembers) {
}
