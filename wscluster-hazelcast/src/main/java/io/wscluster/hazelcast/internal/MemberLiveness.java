package io.wscluster.hazelcast.internal;

import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.spi.properties.HazelcastProperties;
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
    private static final Duration MIN_STALL = Duration.ofSeconds(1);

    private final NodeContext context;
    private final RoutingTable routing;
    private final HazelcastProperties properties;

    MemberLiveness(NodeContext context, RoutingTable routing) {
        this.context = context;
        this.routing = routing;
        this.properties = new HazelcastProperties(context.hazelcast.getConfig());
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

    @Override
    public Duration stallBound() {
        // The others remove a member silent for this long. A shorter stall (up to one heartbeat
        // interval less) can get this node removed too: that case is caught when the node then
        // loses members ({@link Quarantine#onMembersLost}) or merges back. Measured gaps include the
        // scheduling delay after a stall, so a shorter bound would close clients for nothing on a
        // busy machine.
        Duration bound = Duration.ofMillis(properties.getMillis(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS));
        return bound.compareTo(MIN_STALL) < 0 ? MIN_STALL : bound;
    }

    @Override
    public Duration confirmWindow() {
        // the others' explicit suspicion, or our own heartbeat timeout, after the wake-up
        return Duration.ofMillis(properties.getMillis(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS)
                + 3 * properties.getMillis(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS));
    }

    @Override
    public Duration rejoinBound() {
        return confirmWindow().plusMillis(2 * properties.getMillis(ClusterProperty.MERGE_NEXT_RUN_DELAY_SECONDS)
                + properties.getMillis(ClusterProperty.MERGE_FIRST_RUN_DELAY_SECONDS));
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
