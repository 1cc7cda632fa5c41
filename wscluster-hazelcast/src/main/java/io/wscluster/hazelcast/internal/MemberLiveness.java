package io.wscluster.hazelcast.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A node on a Hazelcast member: alive while it is a member. It reconciles after a partition loss,
 * deletes the routing entries of its own partitions that stayed empty past the grace
 * ({@link RoutingTable#dropIdle}), and ends each reconcile by sweeping nodes that are gone.
 */
final class MemberLiveness implements Liveness {

    private static final Logger LOG = LoggerFactory.getLogger(MemberLiveness.class);

    private final NodeContext context;
    private final RoutingTable routing;

    MemberLiveness(NodeContext context, RoutingTable routing) {
        this.context = context;
        this.routing = routing;
    }

    @Override
    public boolean member() {
        return true;
    }

    @Override
    public String kind() {
        return "member";
    }

    @Override
    public void start(Failover failover, List<Runnable> unsubscribes) {
        var partitionService = context.hazelcast.getPartitionService();
        UUID partitions = partitionService.addPartitionLostListener(
                event -> failover.scheduleReconcile("partition " + event.getPartitionId() + " lost"));
        unsubscribes.add(() -> partitionService.removePartitionLostListener(partitions));
        Duration grace = context.settings.emptyRoomGrace();
        long period = context.settings.emptyRoomSweepPeriod().toMillis();
        context.maintenance.scheduleWithFixedDelay(() -> dropIdleRooms(grace), period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void afterReconcile(Failover failover) {
        failover.sweepGoneNodes();
    }

    @Override
    public void leave() {
        // leaving the cluster is the member's shutdown
    }

    private void dropIdleRooms(Duration grace) {
        if (context.isClosed()) {
            return;
        }
        try {
            int dropped = routing.dropIdle(grace);
            if (dropped > 0) {
                LOG.debug("node {} deleted the routing entries of {} room(s) empty for over {} ms", context.id, dropped,
                        grace.toMillis());
            }
        } catch (RuntimeException e) {
            LOG.debug("node {} could not delete idle routing entries", context.id, e);
        }
    }
}
