package io.wscluster.hazelcast.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.wscluster.Node;
import io.wscluster.NodeId;
import io.wscluster.event.NodeJoined;
import io.wscluster.event.NodeLeft;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The node table {@value SharedTables#NODES}: this node's record in it, and this node's copy of it
 * ({@link LiveNodes}) with the node joined and left events.
 *
 * <p>Design notes. The copy follows the table through an entry listener registered before the
 * snapshot is read, so no change falls between. A node joined event is published when a node first
 * appears in the copy, a node left event when its record is removed; the record of a node that
 * leaves on purpose is first rewritten as leaving, so that its left event says it was not lost. A
 * node that is gone is forgotten by the link too ({@link NodeLink#forget}): its requests answer 0.
 * Hazelcast delivers map events at most once: a listener registered while members join and
 * partitions migrate can miss an entry (seen: a node that never learned of a node that wrote its
 * record a moment after it). So the copy is also re-read from the table every {@link #RESYNC_PERIOD}
 * ({@link #resync}): the table holds one small record per node. A re-read only adds what is missing
 * and alive; removing the gone is the failure handling's job.
 */
final class NodeTable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeTable.class);

    /** How often the copy is re-read from the table (see the design notes). */
    static final Duration RESYNC_PERIOD = Duration.ofSeconds(3);

    private final NodeContext context;
    private final SharedTables tables;
    private final LiveNodes live;
    private final NodeLink link;
    private final EventHub events;
    private final NodeRecord self;

    NodeTable(NodeContext context, SharedTables tables, LiveNodes live, NodeLink link, EventHub events, boolean member) {
        this.context = context;
        this.tables = tables;
        this.live = live;
        this.link = link;
        this.events = events;
        String address = String.valueOf(context.hazelcast.getLocalEndpoint().getSocketAddress()).replaceFirst("^/", "");
        this.self = new NodeRecord(context.id, address, context.ticker.now(), context.endpointUuid(), member, false);
    }

    /** @return this node's record */
    NodeRecord self() {
        return self;
    }

    /**
     * Starts following the table.
     *
     * @return what stops following it
     */
    Runnable follow() {
        UUID nodeListener = tables.nodes.addEntryListener(new Follower(), true);
        for (Map.Entry<String, byte[]> e : tables.nodes.entrySet()) {
            NodeRecord record = tables.openNode(e.getKey(), e.getValue());
            if (record != null) {
                live.put(record);
            }
        }
        return () -> tables.nodes.removeEntryListener(nodeListener);
    }

    /**
     * Adds to the copy every authentic record of the table whose node is alive (a member record whose
     * member is in the member list, a client record whose lease is held) and that the copy misses,
     * with its node joined event: what a missed map event left out. This node's own record is never
     * added (a re-read racing its leave once did, in a drain).
     *
     * @return how many records were added
     */
    int resync() {
        Set<String> members = memberUuids();
        int added = 0;
        for (Map.Entry<String, byte[]> e : tables.nodes.entrySet()) {
            NodeRecord record = tables.openNode(e.getKey(), e.getValue());
            // never this node's own record: it is in the copy from register() until the node leaves,
            // and a re-read racing the leave would bring the leaving node back into its own copy
            if (record == null || record.leaving() || record.id().equals(context.id) || live.isLive(record.id())) {
                continue;
            }
            if (isAlive(record, members) && joined(record)) {
                LOG.info("node {} learned of node {} from the node table (its map event never came)", context.id, record.id());
                added++;
            }
        }
        return added;
    }

    /** @return the uuids of the Hazelcast members in this node's member list */
    Set<String> memberUuids() {
        Set<String> members = new HashSet<>();
        for (Member member : context.hazelcast.getCluster().getMembers()) {
            members.add(member.getUuid().toString());
        }
        return members;
    }

    /**
     * @param record  a node record
     * @param members {@link #memberUuids()}
     * @return true if its node is alive: a member node whose member is in the list, a client node whose lease is held
     */
    boolean isAlive(NodeRecord record, Set<String> members) {
        return record.member() ? members.contains(record.memberUuid()) : tables.leases.containsKey(record.id().value());
    }

    /** Re-reads the table every {@link #RESYNC_PERIOD} on the maintenance thread until the node stops. */
    void startResync() {
        long period = RESYNC_PERIOD.toMillis();
        try {
            context.maintenance.scheduleWithFixedDelay(() -> {
                if (context.isClosed() || context.quarantine.quarantined()) {
                    return;
                }
                try {
                    resync();
                } catch (RuntimeException ex) {
                    LOG.debug("node {} could not re-read the node table", context.id, ex);
                }
            }, period, period, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException ex) {
            LOG.debug("node table re-read not started: node {} is closing", context.id);
        }
    }

    /** Writes this node's record into the table and its copy. */
    void register() {
        tables.nodes.set(context.id.value(), tables.sealNode(self));
        live.put(self);
    }

    /** Writes this node's record again, with its endpoint uuid as it is now (after a merge it differs). */
    void reassert() {
        tables.nodes.set(context.id.value(), tables.sealNode(self.withMemberUuid(context.endpointUuid())));
    }

    /** Marks this node's record as leaving, then removes it. */
    void leave() {
        tables.nodes.set(context.id.value(), tables.sealNode(self.asLeaving()));
        tables.nodes.remove(context.id.value());
    }

    /**
     * Removes a gone node's record from the table and the copy.
     *
     * @return true if this call removed the record from the table
     */
    boolean remove(NodeId node) {
        boolean removedRecord = tables.nodes.remove(node.value()) != null;
        live.remove(node);
        forget(node);
        return removedRecord;
    }

    /**
     * Removes a gone node's record from the table and the copy, if the table still holds the record
     * found gone: a record the node re-asserted meanwhile (it is back) stays, and so does the copy.
     *
     * @param node     the node
     * @param expected the record found gone, or null if there was none (then any record is removed)
     * @return true if this call removed the record from the table
     */
    boolean remove(NodeId node, byte[] expected) {
        if (expected == null) {
            return remove(node);
        }
        if (!tables.nodes.remove(node.value(), expected)) {
            return false;
        }
        live.remove(node);
        forget(node);
        return true;
    }

    /** A node is gone: the link and the user routes forget it. */
    void forget(NodeId node) {
        link.forget(node);
        if (!node.equals(context.id)) {
            tables.userRoutes.forget(node);
        }
    }

    /** @return true if the node was new to the copy (its joined event was published) */
    private boolean joined(NodeRecord record) {
        if (record == null) {
            return false;
        }
        if (live.put(record) == null) {
            events.publish(new NodeJoined(new Node(record.id(), record.address(), record.joinedAt())));
            return true;
        }
        return false;
    }

    private final class Follower implements EntryAddedListener<String, byte[]>,
            EntryUpdatedListener<String, byte[]>, EntryRemovedListener<String, byte[]> {

        @Override
        public void entryAdded(EntryEvent<String, byte[]> event) {
            joined(tables.openNode(event.getKey(), event.getValue()));
        }

        @Override
        public void entryUpdated(EntryEvent<String, byte[]> event) {
            joined(tables.openNode(event.getKey(), event.getValue()));
        }

        @Override
        public void entryRemoved(EntryEvent<String, byte[]> event) {
            NodeRecord old = event.getOldValue() == null ? null : tables.openNode(event.getKey(), event.getOldValue());
            NodeId id = new NodeId(event.getKey());
            NodeRecord known = live.remove(id);
            NodeRecord record = old != null ? old : known;
            forget(id);
            if (record != null) {
                events.publish(new NodeLeft(new Node(record.id(), record.address(), record.joinedAt()), !record.leaving()));
            }
        }
    }
}
