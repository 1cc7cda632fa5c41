package io.wscluster.hazelcast.internal;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.wscluster.Node;
import io.wscluster.NodeId;
import io.wscluster.event.NodeJoined;
import io.wscluster.event.NodeLeft;

import java.util.Map;
import java.util.UUID;

/**
 * The node table {@value SharedTables#NODES}: this node's record in it, and this node's copy of it
 * ({@link LiveNodes}) with the node joined and left events.
 *
 * <p>Design notes. The copy follows the table through an entry listener registered before the
 * snapshot is read, so no change falls between. A node joined event is published when a node first
 * appears in the copy, a node left event when its record is removed; the record of a node that
 * leaves on purpose is first rewritten as leaving, so that its left event says it was not lost. A
 * node that is gone is forgotten by the link too ({@link NodeLink#forget}): its requests answer 0.
 */
final class NodeTable {

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

    private void joined(NodeRecord record) {
        if (record == null) {
            return;
        }
        if (live.put(record) == null) {
            events.publish(new NodeJoined(new Node(record.id(), record.address(), record.joinedAt())));
        }
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
