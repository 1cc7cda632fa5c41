package io.wscluster.hazelcast.internal;

import io.wscluster.Node;
import io.wscluster.NodeId;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The nodes this node takes to be alive, with their records: its copy of the node table, kept by
 * {@link NodeTable} and corrected by the sweeps of {@link Failover}. Routing and requests consult it
 * so that nothing is sent to, or waited for from, a node known to be gone.
 */
final class LiveNodes {

    private final Map<NodeId, NodeRecord> records = new ConcurrentHashMap<>();

    boolean isLive(NodeId node) {
        return records.containsKey(node);
    }

    /** @return the previous record of the node, or null if it was not known (it joined) */
    NodeRecord put(NodeRecord record) {
        return records.put(record.id(), record);
    }

    void putIfAbsent(NodeRecord record) {
        records.putIfAbsent(record.id(), record);
    }

    /** @return the record removed, or null */
    NodeRecord remove(NodeId node) {
        return records.remove(node);
    }

    /** @return a live view of the ids */
    Set<NodeId> ids() {
        return records.keySet();
    }

    /** @return a live view of the records */
    Collection<NodeRecord> records() {
        return records.values();
    }

    int size() {
        return records.size();
    }

    /** @return the live nodes, ordered by id */
    List<Node> nodes() {
        List<Node> list = new ArrayList<>();
        for (NodeRecord r : records.values()) {
            list.add(new Node(r.id(), r.address(), r.joinedAt()));
        }
        list.sort(Comparator.comparing(Node::id));
        return list;
    }
}
