package io.wscluster.hazelcast.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.query.Predicates;
import io.wscluster.NodeId;
import io.wscluster.SessionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The cleanup of one lost node: its sessions, memberships, presence, its count in every routing
 * entry and its node record, removed from the shared tables.
 *
 * <p>Design notes. A cleanup acts only on a node that is still gone when it runs, and only while
 * this node's view of the members holds. Before, a woken node's cleanups of the healthy nodes
 * (queued, or retried after a failure, on its maintenance thread while it was alone) could run after
 * it had merged back. They then removed a healthy node's sessions, its count in every routing entry
 * and its node record from the real cluster, and the healthy nodes stopped routing room messages to
 * each other until their next reconcile. Three rules close that:
 * <ul>
 * <li>a quarantined node cleans up nobody ({@link Quarantine}): it is the one whose view is out of
 * date (it removed the others when they declared it gone); the reconcile before it serves again
 * sweeps what is really gone, in the cluster it re-entered;</li>
 * <li>a cleanup first checks that the node is still gone: no node record names it as a current
 * member (for a client node, its lease is gone); a node that is back is left alone;</li>
 * <li>between its writes a cleanup checks that the member list it started from still holds; when it
 * does not (a merge or a loss meanwhile) it stops, and its retry checks afresh; and it deletes the
 * node record only if it is still the one it found gone, not one the node re-asserted meanwhile.</li>
 * </ul>
 * Removals are idempotent, every survivor may run them at once, and the one whose removal succeeds
 * publishes the closed / offline events. A cleanup that fails is retried, with a warning once it is
 * past the failure timeout.
 */
final class NodeCleanup {

    private static final Logger LOG = LoggerFactory.getLogger(NodeCleanup.class);

    private final NodeContext context;
    private final SharedTables tables;
    private final NodeTable nodeTable;
    private final SessionRegistry registry;

    NodeCleanup(NodeContext context, SharedTables tables, NodeTable nodeTable, SessionRegistry registry) {
        this.context = context;
        this.tables = tables;
        this.nodeTable = nodeTable;
        this.registry = registry;
    }

    /**
     * Cleans up after a lost node on the maintenance thread, retrying until it is done or not needed.
     *
     * @param node the node
     */
    void later(NodeId node) {
        later(node, context.ticker.now().plus(context.settings.failureTimeout()));
    }

    private void later(NodeId node, Instant deadline) {
        try {
            context.maintenance.execute(() -> {
                if (context.quarantine.quarantined()) {
                    LOG.info("node {} is quarantined: it leaves the cleanup of node {} to the others", context.id, node);
                    return;
                }
                try {
                    remove(node);
                } catch (RuntimeException e) {
                    if (context.isClosed()) {
                        return;
                    }
                    if (e instanceof ViewChanged) {
                        LOG.info("node {}: {}; trying again", context.id, e.getMessage());
                    } else if (context.ticker.now().isAfter(deadline)) {
                        LOG.warn("cleanup of lost node {} is past its {} ms bound and still failing; retrying", node,
                                context.settings.failureTimeout().toMillis(), e);
                    } else {
                        LOG.debug("cleanup of lost node {} failed; retrying", node, e);
                    }
                    context.maintenance.schedule(() -> later(node, deadline),
                            context.settings.retryDelay().toMillis(), TimeUnit.MILLISECONDS);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("cleanup of node {} skipped: node {} is closing", node, context.id);
        }
    }

    /**
     * Removes every trace of a node that is gone, on the caller's thread. Does nothing if the node is
     * not gone any more.
     *
     * @param node the node
     * @throws ViewChanged if the member list changed while it ran; what is left is for a retry
     */
    void remove(NodeId node) {
        if (node.equals(context.id)) {
            return;
        }
        Set<String> view = memberUuids();
        byte[] record = tables.nodes.get(node.value());
        if (!stillGone(node, record, view)) {
            LOG.info("node {}: node {} is a member of the cluster again; its cleanup is dropped", context.id, node);
            return;
        }
        Set<String> rooms = new HashSet<>();
        List<SessionInfo> records = authentic(node.value());
        for (SessionInfo info : records) {
            requireView(view, node);
            rooms.addAll(info.rooms());
            registry.deregister(info, true);
        }
        for (String room : rooms) {
            requireView(view, node);
            tables.routing.set(room, node, 0);
        }
        requireView(view, node);
        boolean removedRecord = nodeTable.remove(node, record);
        if (!records.isEmpty()) {
            LOG.info("removed {} session(s) of lost node {}", records.size(), node);
        }
        if (removedRecord || !records.isEmpty()) {
            context.counters.nodesLost.increment();
        }
    }

    /**
     * @param node a node
     * @return its authentic session records; records that are not (a stranger's) are deleted
     */
    List<SessionInfo> authentic(String node) {
        List<SessionInfo> found = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : tables.sessions.entrySet(Predicates.between("__key", node + "-", node + "."))) {
            SessionInfo info = tables.openSession(e.getKey(), e.getValue());
            if (info == null) {
                tables.sessions.remove(e.getKey(), e.getValue());
            } else {
                found.add(info);
            }
        }
        return found;
    }

    /** @return the uuids of the cluster's members as this node sees them now */
    private Set<String> memberUuids() {
        Set<String> uuids = new HashSet<>();
        for (Member member : context.hazelcast.getCluster().getMembers()) {
            uuids.add(member.getUuid().toString());
        }
        return uuids;
    }

    /**
     * @param node    a node thought gone
     * @param bytes   its record in the node table, or null
     * @param members the members now
     * @return false if its record names one of the members (it is back, e.g. after a merge) or, for a
     * client node, its lease is held; true otherwise (without a record nothing says it is alive)
     */
    private boolean stillGone(NodeId node, byte[] bytes, Set<String> members) {
        NodeRecord record = bytes == null ? null : tables.openNode(node.value(), bytes);
        if (record == null) {
            return true;
        }
        return record.member() ? !members.contains(record.memberUuid()) : !tables.leases.containsKey(node.value());
    }

    /** Stops a cleanup whose view of the members no longer holds (a merge or a loss meanwhile). */
    private void requireView(Set<String> view, NodeId node) {
        if (!view.equals(memberUuids())) {
            throw new ViewChanged("the member list changed during the cleanup of node " + node);
        }
    }

    /** The member list changed under a cleanup. */
    static final class ViewChanged extends RuntimeException {
        ViewChanged(String message) {
            super(message, null, false, false);
        }
    }
}
