package io.wscluster.hazelcast.internal;

import com.hazelcast.cluster.Member;

import java.time.Duration;
import java.util.List;

/**
 * How the others learn that this node is alive, chosen once from the kind of Hazelcast instance:
 * a member is alive while it is a member (the others get membership events when it is not); a node
 * on a Hazelcast client is no member, so it holds a lease the others watch ({@link LeaseLiveness}).
 * The member-only work (partition-loss reconciles, sweeps over the member's own partitions, the
 * sweep of gone nodes) comes with {@link MemberLiveness}.
 */
sealed interface Liveness permits MemberLiveness, LeaseLiveness {

    /**
     * @param context the node
     * @param tables  the shared tables
     * @return member liveness on a member, lease liveness on a client
     */
    static Liveness of(NodeContext context, SharedTables tables) {
        return context.hazelcast.getLocalEndpoint() instanceof Member
                ? new MemberLiveness(context, tables.routing)
                : new LeaseLiveness(context, tables.leases);
    }

    /** @return true on a Hazelcast member (recorded in the node table) */
    boolean member();

    /** @return "member" or "client", for the log */
    String kind();

    /**
     * Starts what this kind of node does periodically or on its own events.
     *
     * @param failover     the failover of this node
     * @param unsubscribes where listener removals go, run when the node stops
     */
    void start(Failover failover, List<Runnable> unsubscribes);

    /**
     * The last step of a reconcile.
     *
     * @param failover the failover of this node
     */
    void afterReconcile(Failover failover);

    /** This node leaves on purpose: the others need no expiry to notice. */
    void leave();

    /** @return the shortest stall of this node after which the others may have declared it gone */
    Duration stallBound();

    /** @return how long after a stall the others' verdict surely reached this node, if there was one */
    Duration confirmWindow();

    /** @return how long a node that lost the others waits for a merge before it serves as what is left */
    Duration rejoinBound();
}
