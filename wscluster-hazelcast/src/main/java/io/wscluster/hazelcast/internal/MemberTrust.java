package io.wscluster.hazelcast.internal;

import com.hazelcast.client.Client;
import com.hazelcast.cluster.Member;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Finds Hazelcast members, and clients connected to this member, that are not wscluster nodes of
 * this cluster: that hold no authentic record in the node table (one sealed with the cluster
 * secret) once a grace period after they appeared has passed.
 *
 * <p>Design notes. Routing never needs this class: a node is routed to only when its authentic
 * record is in {@link LiveNodes}, so a stranger member is never a target whatever this class
 * finds. It exists so that operators see strangers: each one is logged at warn once (by address
 * and uuid) and counted in {@link #untrusted()}, a gauge that {@code /health} shows. A node that is
 * starting has not written its record yet, hence the grace ({@link #graceOf}); on a busy machine a
 * node's start (indexes, the routing table's first load, partition migration) can take seconds
 * between its Hazelcast join and its record, so the grace is a full failure timeout, and a member
 * warned about that later shows a record is logged at info and no longer counted. The check runs on
 * the maintenance thread every {@link #PERIOD} and reads only the local member list and the local
 * copy of the node table.
 */
final class MemberTrust {

    private static final Logger LOG = LoggerFactory.getLogger(MemberTrust.class);
    /** How often members are checked. */
    static final Duration PERIOD = Duration.ofSeconds(1);
    private static final Duration MIN_GRACE = Duration.ofSeconds(5);

    private final NodeContext context;
    private final LiveNodes live;
    private final long graceNanos;
    private final Map<UUID, Long> firstSeen = new HashMap<>(); // maintenance thread only
    private final Set<UUID> warned = new HashSet<>(); // maintenance thread only
    private volatile int untrusted;

    MemberTrust(NodeContext context, LiveNodes live) {
        this.context = context;
        this.live = live;
        this.graceNanos = graceOf(context.settings.failureTimeout()).toNanos();
    }

    /** @return how long a new member may go without a node record: the failure timeout, at least 5 s */
    static Duration graceOf(Duration failureTimeout) {
        return failureTimeout.compareTo(MIN_GRACE) < 0 ? MIN_GRACE : failureTimeout;
    }

    /** Starts the periodic check. */
    void start() {
        long period = PERIOD.toMillis();
        try {
            context.maintenance.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("member check not started: node {} is closing", context.id);
        }
    }

    /** @return members and clients found without an authentic node record at the last check */
    int untrusted() {
        return untrusted;
    }

    /** @return 1 if the endpoint is untrusted past its grace (warned once), else 0 */
    private int judge(String kind, UUID uuid, Object address, Set<String> trusted, Set<UUID> present, long now) {
        present.add(uuid);
        if (trusted.contains(uuid.toString())) {
            firstSeen.remove(uuid);
            if (warned.remove(uuid)) {
                LOG.info("node {}: Hazelcast {} {} ({}) now has an authentic node record: a wscluster node of this cluster"
                        + " that started slowly, no longer counted as untrusted", context.id, kind, address, uuid);
            }
            return 0;
        }
        long since = firstSeen.computeIfAbsent(uuid, u -> now);
        if (now - since < graceNanos) {
            return 0;
        }
        if (warned.add(uuid)) {
            LOG.warn("node {}: Hazelcast {} {} ({}) is connected to the cluster but is no wscluster node of it (no node record"
                    + " authenticated with the cluster secret after {} ms); nothing is routed to it. A process without the"
                    + " secret reached the cluster port: keep it on a private network", context.id, kind, address, uuid,
                    TimeUnit.NANOSECONDS.toMillis(graceNanos));
        }
        return 1;
    }

    private void check() {
        if (context.isClosed()) {
            return;
        }
        try {
            Set<String> trusted = new HashSet<>();
            for (NodeRecord record : live.records()) {
                trusted.add(record.memberUuid());
            }
            long now = context.ticker.nanos();
            Set<UUID> present = new HashSet<>();
            int count = 0;
            for (Member member : context.hazelcast.getCluster().getMembers()) {
                count += judge("member", member.getUuid(), member.getAddress(), trusted, present, now);
            }
            if (context.hazelcast.getLocalEndpoint() instanceof Member) {
                for (Client client : context.hazelcast.getClientService().getConnectedClients()) {
                    count += judge("client", client.getUuid(), client.getSocketAddress(), trusted, present, now);
                }
            }
            firstSeen.keySet().retainAll(present);
            warned.retainAll(present);
            untrusted = count;
        } catch (RuntimeException e) {
            LOG.debug("node {} could not check the members", context.id, e);
        }
    }
}
