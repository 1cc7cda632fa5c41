package io.wscluster.hazelcast.internal;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.listener.EntryExpiredListener;
import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Failure handling: cleanup after lost nodes, and reconciling the shared tables with reality.
 *
 * <p>Design notes. Every survivor reacts to a lost node (a member removed, a client-mode node's
 * lease expired) by removing that node's sessions, memberships, presence and interest, driven by
 * the records alone (writes are ordered so that a crash leaves records naming everything to clean,
 * see {@link SessionRegistry}). Removals are idempotent and the one survivor whose removal succeeds
 * publishes the closed / offline events. A cleanup that fails is retried until it succeeds, with a
 * warning once it is past the failure timeout. After a merge, a member joining, a partition loss or
 * this node's own lease expiring, the node reconciles twice (the second pass for what was in flight
 * during the first): it re-asserts what it owns, removes entries it owns no more and, on members,
 * removes every trace of nodes that are gone. Everything runs on the maintenance thread; the full
 * scans here are kept off every other path, and requests for a reconcile coalesce into the pass
 * still waiting to run. A sweep never counts this node, or a node it knows as a live member, as
 * gone only because its record is missing: a split can lose a record with its partition, and its
 * owner re-asserts it. A quarantined node runs no scheduled reconcile: its view is the stale one,
 * and it reconciles before it serves again, in the cluster it re-entered.
 *
 * <p>The other side of a lost node is the node itself when it was not dead: stalled (GC pause,
 * frozen VM) or cut off. It closes its clients and re-enters before it serves again; why it closes
 * them rather than re-entering silently is in {@link Quarantine}. A healthy node never waits on a
 * lost one for what a client waits for: routing reads local copies, requests to a node not live
 * answer at once, and {@code /health} answers from local state. The cleanup of one lost node, and
 * why it checks that the node is still gone, is {@link NodeCleanup}.
 */
final class Failover {

    private static final Logger LOG = LoggerFactory.getLogger(Failover.class);

    private final NodeContext context;
    private final SharedTables tables;
    private final LiveNodes live;
    private final NodeTable nodeTable;
    private final SessionRegistry registry;
    private final NodeInterest interest;
    private final EventTopic events;
    private final Liveness liveness;
    private final NodeCleanup cleanup;
    private final AtomicBoolean firstPassPending = new AtomicBoolean();
    private final AtomicBoolean secondPassPending = new AtomicBoolean();

    Failover(NodeContext context, SharedTables tables, LiveNodes live, NodeTable nodeTable, SessionRegistry registry,
             NodeInterest interest, EventTopic events, Liveness liveness) {
        this.context = context;
        this.tables = tables;
        this.live = live;
        this.nodeTable = nodeTable;
        this.registry = registry;
        this.interest = interest;
        this.events = events;
        this.liveness = liveness;
        this.cleanup = new NodeCleanup(context, tables, nodeTable, registry);
    }

    /**
     * Starts watching for lost nodes and merges, and this node's periodic work.
     *
     * @param unsubscribes where listener removals go, run when the node stops
     */
    void start(List<Runnable> unsubscribes) {
        var cluster = context.hazelcast.getCluster();
        UUID membership = cluster.addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                scheduleReconcile("member " + event.getMember().getAddress() + " joined");
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                context.quarantine.onMembersLost();
                onMemberRemoved(event.getMember().getUuid().toString());
            }
        });
        unsubscribes.add(() -> cluster.removeMembershipListener(membership));
        var lifecycleService = context.hazelcast.getLifecycleService();
        UUID lifecycle = lifecycleService.addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.MERGING) {
                context.quarantine.onMerging();
            } else if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                context.quarantine.onMerged();
                scheduleReconcile("split-brain merge");
            }
        });
        unsubscribes.add(() -> lifecycleService.removeLifecycleListener(lifecycle));
        UUID leaseListener = tables.leases.addEntryListener((EntryExpiredListener<String, Long>) event -> {
            NodeId node = new NodeId(event.getKey());
            if (!node.equals(context.id) && !context.isClosed()) {
                LOG.info("node {} saw the lease of client node {} expire; removing its sessions", context.id, node);
                cleanup.later(node);
            }
        }, false);
        unsubscribes.add(() -> tables.leases.removeEntryListener(leaseListener));
        liveness.start(this, unsubscribes);
    }

    /** Runs a first reconcile, as a node starts. */
    void reconcileOnce(String why) {
        context.maintenance.execute(() -> reconcile(why));
    }

    /**
     * Reconciles soon and once more after a while (see the design notes). Requests that arrive while
     * a pass is still waiting to run join it: a merge loses many partitions at once, and one pass
     * per lost partition kept the maintenance thread busy for seconds.
     */
    void scheduleReconcile(String why) {
        try {
            if (firstPassPending.compareAndSet(false, true)) {
                context.maintenance.execute(() -> {
                    firstPassPending.set(false);
                    reconcile(why);
                });
            }
            if (secondPassPending.compareAndSet(false, true)) {
                context.maintenance.schedule(() -> {
                    secondPassPending.set(false);
                    reconcile(why + ", second pass");
                }, context.settings.secondReconcileDelay().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RejectedExecutionException e) {
            LOG.debug("reconcile skipped: node {} is closing", context.id);
        }
    }

    /**
     * Reconciles on the caller's thread (quarantine's, before the node serves again).
     *
     * @throws RuntimeException if it failed; the caller tries again
     */
    void reconcileNow(String why) {
        LOG.debug("node {} reconciling ({})", context.id, why);
        tables.routing.reload();
        tables.userRoutes.reload();
        reassertLocal();
        removeOwnStale();
        liveness.afterReconcile(this);
    }

    private void onMemberRemoved(String memberUuid) {
        for (NodeRecord record : live.records()) {
            if (record.memberUuid().equals(memberUuid) && !record.id().equals(context.id)) {
                LOG.info("node {} saw node {} lost (member {}); removing its sessions", context.id, record.id(), memberUuid);
                cleanup.later(record.id());
            }
        }
    }

    /**
     * Makes the shared tables agree with reality: re-asserts what this node owns, removes entries
     * this node owns no more, and (members) removes every trace of nodes that are gone. A
     * quarantined node skips it: the reconcile before it serves again does it in the cluster it
     * re-entered.
     */
    private void reconcile(String why) {
        if (context.isClosed()) {
            return;
        }
        if (context.quarantine.quarantined()) {
            LOG.debug("node {} is quarantined: reconcile ({}) left to its re-entry", context.id, why);
            return;
        }
        try {
            reconcileNow(why);
        } catch (NodeCleanup.ViewChanged e) {
            LOG.info("node {} stopped a reconcile ({}): {}; will retry", context.id, why, e.getMessage());
            context.maintenance.schedule(() -> reconcile(why), context.settings.retryDelay().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            if (!context.isClosed()) {
                LOG.warn("node {} could not reconcile ({}); will retry", context.id, why, e);
                context.maintenance.schedule(() -> reconcile(why), context.settings.retryDelay().toMillis() * 4,
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    private void reassertLocal() {
        nodeTable.reassert();
        LocalSessions local = registry.local();
        for (SessionInfo snapshot : local.all()) {
            synchronized (registry.lockOf(snapshot.id())) {
                // re-read under the lock: a join, leave or attribute change since the snapshot wins
                SessionInfo info = local.get(snapshot.id());
                if (info == null) {
                    continue;
                }
                boolean reappeared = tables.sessions.put(info.id().value(), tables.sealSession(info)) == null;
                boolean online = info.user().isPresent() && tables.presence.add(info.user().get(), info.id());
                for (String room : info.rooms()) {
                    tables.roomMembers.put(room, SharedTables.memberValue(info));
                }
                // Others saw it lost (a split); tell them it is back, so their event stream stays true.
                if (reappeared) {
                    events.publish(TopicEvent.encodeSession(TopicEvent.Kind.OPENED, info));
                }
                if (online) {
                    events.publish(TopicEvent.encodeUser(TopicEvent.Kind.ONLINE, info.user().get(), info.id()));
                }
            }
        }
        for (String room : local.rooms()) {
            interest.publish(room);
        }
    }

    /**
     * Removes what this node owns no more: records of its closed sessions, and (after a quarantine or
     * a merge, where records and memberships may have come back apart) memberships, presence and
     * interest counts that no local session backs.
     */
    private void removeOwnStale() {
        String me = context.id.value();
        LocalSessions local = registry.local();
        for (SessionInfo info : cleanup.authentic(me)) {
            if (local.get(info.id()) == null) {
                registry.deregister(info, false);
            }
        }
        for (Map.Entry<String, String> member : tables.roomMembers.entrySet()) {
            if (SharedTables.ownerOfMember(member.getValue()).equals(context.id)
                    && local.get(SharedTables.sessionOfMember(member.getValue())) == null) {
                tables.roomMembers.remove(member.getKey(), member.getValue());
            }
        }
        for (Map.Entry<String, String[]> user : tables.users.entrySet()) {
            for (String id : user.getValue()) {
                SessionId session = new SessionId(id);
                if (session.isOwnedBy(context.id) && local.get(session) == null
                        && tables.presence.remove(user.getKey(), session)) {
                    events.publish(TopicEvent.encodeUser(TopicEvent.Kind.OFFLINE, user.getKey(), session));
                }
            }
        }
        for (String room : tables.routing.roomsOf(context.id)) {
            if (local.roomCount(room) == 0) {
                interest.publish(room);
            }
        }
    }

    /** Removes entries of nodes that are not members any more, including those whose records were lost. Members only. */
    void sweepGoneNodes() {
        Set<String> liveMembers = nodeTable.memberUuids();
        // This node, and every node this node knows as a live member, is alive even if its record is
        // missing: after a split a record can be lost with the partition that held it, and its owner
        // re-asserts it on its next reconcile. Without this a node removed its own sessions as orphans.
        Set<NodeId> alive = new HashSet<>();
        Set<String> trustedMembers = new HashSet<>();
        alive.add(context.id);
        for (NodeRecord record : live.records()) {
            if (record.member() && liveMembers.contains(record.memberUuid())) {
                alive.add(record.id());
            }
        }
        for (Map.Entry<String, byte[]> entry : tables.nodes.entrySet()) {
            NodeRecord record = tables.openNode(entry.getKey(), entry.getValue());
            if (record == null) {
                continue; // not authentic: never live; left alone (its writer may be a node with another secret)
            }
            if (record.member()) {
                trustedMembers.add(record.memberUuid());
            }
            boolean gone = !nodeTable.isAlive(record, liveMembers);
            if (gone && !record.id().equals(context.id)) {
                cleanup.remove(record.id());
            } else {
                alive.add(record.id());
                live.putIfAbsent(record);
            }
        }
        for (NodeId known : new ArrayList<>(live.ids())) {
            if (!alive.contains(known)) {
                live.remove(known);
                nodeTable.forget(known);
            }
        }
        if (context.seal.isOn() && !trustedMembers.containsAll(liveMembers)) {
            // A member without an authentic node record (a stranger, a node with another secret, or one
            // still starting) may own entries this node cannot verify: clean up after orphans once all
            // members are known, so that nodes with different secrets do not erase each other's entries.
            return;
        }
        Set<NodeId> orphans = new HashSet<>();
        for (String id : tables.sessions.keySet()) {
            NodeId owner = new SessionId(id).node();
            if (!alive.contains(owner)) {
                orphans.add(owner);
            }
        }
        for (NodeId orphan : orphans) {
            cleanup.remove(orphan);
        }
        for (Map.Entry<String, String> member : tables.roomMembers.entrySet()) {
            if (!alive.contains(SharedTables.ownerOfMember(member.getValue()))) {
                tables.roomMembers.remove(member.getKey(), member.getValue());
            }
        }
        for (Map.Entry<String, String[]> user : tables.users.entrySet()) {
            for (String id : user.getValue()) {
                SessionId session = new SessionId(id);
                if (!alive.contains(session.node()) && tables.presence.remove(user.getKey(), session)) {
                    events.publish(TopicEvent.encodeUser(TopicEvent.Kind.OFFLINE, user.getKey(), session));
                }
            }
        }
        for (Map.Entry<String, RoutingEntry> entry : tables.routing.readAll().entrySet()) {
            for (NodeId owner : entry.getValue().counts().keySet()) {
                if (!alive.contains(owner)) {
                    tables.routing.set(entry.getKey(), owner, 0);
                }
            }
        }
    }
}
