package io.wscluster.hazelcast.internal;

import io.wscluster.NodeId;

/**
 * This node's entries in the routing table: for each room, how many of its local sessions are
 * members. A count is always written as "set mine to n" from the local index, under a lock per
 * room stripe, so concurrent joins and leaves of one room on this node write in the order they
 * read, and re-asserting a count is always safe.
 */
final class NodeInterest {

    private static final int STRIPES = 64;

    private final NodeId me;
    private final RoutingTable routing;
    private final LocalSessions local;
    private final Object[] roomLocks = new Object[STRIPES];

    NodeInterest(NodeId me, RoutingTable routing, LocalSessions local) {
        this.me = me;
        this.routing = routing;
        this.local = local;
        for (int i = 0; i < STRIPES; i++) {
            roomLocks[i] = new Object();
        }
    }

    /**
     * Writes this node's current member count of a room into the routing table.
     *
     * @return the entry written if this node just gained its first member of the room, else null
     */
    RoutingEntry publish(String room) {
        synchronized (roomLocks[Math.floorMod(room.hashCode(), STRIPES)]) {
            RoutingTable.Written written = routing.set(room, me, local.roomCount(room));
            return written != null && written.gained() ? written.entry() : null;
        }
    }
}
