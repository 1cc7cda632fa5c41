package io.wscluster.hazelcast.internal;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.wscluster.NodeId;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The routing table: for each room, which nodes hold how many of its members.
 *
 * <p>Design notes. The table lives in the IMap {@code wsc.interest} (room to a versioned
 * {@link RoutingEntry}); every node keeps a full local copy so that routing a room message costs no
 * network lookup. The copy follows the IMap through an entry listener and applies an entry only if
 * its version is newer than what it holds.
 *
 * <p>An entry that has stayed empty (no node with members) for a grace period is deleted by the
 * member that owns its partition ({@link #dropIdle}), so the table holds the rooms in use, not every
 * room ever used. Versions start from the writer's clock (see {@link RoutingEntry#with}), so an entry
 * written after a deletion outranks the deleted one wherever a copy still holds it, as long as
 * clocks differ by less than the grace period; and a copy drops an entry on a deletion only if it
 * holds no newer version, so a late deletion event cannot undo a rejoin.
 *
 * <p>A listener is asynchronous, so a node's copy can lag. Lag is harmless when a node drops out of
 * a room (it gets a message for a room it no longer has members in, and writes it to nobody), but a
 * node that gains its first member must be in every copy before the join completes, or a message
 * sent right after the join could miss it. For that the joining node pushes the entry it wrote to
 * every node and waits for their acknowledgements (the join barrier, in {@link RoomMembership}); this class
 * gives it {@link #apply}. Node writes go through compare-and-set on the IMap, so no count is lost
 * to a concurrent writer.
 */
final class RoutingTable {

    private final IMap<String, byte[]> map;
    private final Map<String, RoutingEntry> copy = new ConcurrentHashMap<>();
    private final Ticker ticker;
    private UUID listener;

    RoutingTable(IMap<String, byte[]> map, Ticker ticker) {
        this.map = map;
        this.ticker = ticker;
    }

    /** Starts following the IMap: listener first, then a snapshot, so no change falls between. */
    void start() {
        listener = map.addEntryListener(new Follower(), true);
        for (Map.Entry<String, byte[]> e : map.entrySet()) {
            apply(e.getKey(), RoutingEntry.decode(e.getValue()));
        }
    }

    /** Stops following. */
    void stop() {
        if (listener != null) {
            map.removeEntryListener(listener);
        }
    }

    /**
     * @param room a room
     * @return the nodes with members of it and their counts, from the local copy (no network call)
     */
    Map<NodeId, Integer> nodesOf(String room) {
        return copy.getOrDefault(room, RoutingEntry.NONE).counts();
    }

    /**
     * Applies an entry to the local copy if it is newer than the one held.
     *
     * @param room  the room
     * @param entry the entry
     */
    void apply(String room, RoutingEntry entry) {
        copy.merge(room, entry, (held, offered) -> offered.version() > held.version() ? offered : held);
    }

    /**
     * Sets one node's count for a room in the shared table (compare-and-set until it sticks) and in
     * the local copy.
     *
     * @param room  the room
     * @param node  the node
     * @param count its member count now, 0 to drop it
     * @return what was written, or null if the table already said so
     */
    Written set(String room, NodeId node, int count) {
        while (true) {
            byte[] old = map.get(room);
            RoutingEntry current = RoutingEntry.decode(old);
            RoutingEntry next = current.with(node, count, ticker.wallMillis());
            if (next == current) {
                apply(room, current);
                return null;
            }
            byte[] encoded = next.encode();
            boolean done = old == null ? map.putIfAbsent(room, encoded) == null : map.replace(room, old, encoded);
            if (done) {
                apply(room, next);
                return new Written(next, !current.counts().containsKey(node) && count > 0);
            }
        }
    }

    /**
     * An entry as written by {@link #set}.
     *
     * @param entry  the new entry
     * @param gained true if the node had no members of the room before this write
     */
    record Written(RoutingEntry entry, boolean gained) {
    }

    /**
     * Deletes the entries of this member's partitions that have been empty for longer than
     * {@code grace} (compare-and-delete: an entry written meanwhile stays). Members only.
     *
     * @param grace how long an entry must have been empty
     * @return how many entries were deleted
     */
    int dropIdle(java.time.Duration grace) {
        long cutoff = ticker.wallMillis() - grace.toMillis();
        int dropped = 0;
        for (String room : map.localKeySet()) {
            byte[] bytes = map.get(room);
            RoutingEntry entry = RoutingEntry.decode(bytes);
            if (bytes != null && entry.counts().isEmpty() && entry.writtenNoLaterThanMillis() < cutoff
                    && map.remove(room, bytes)) {
                forget(room, entry);
                dropped++;
            }
        }
        return dropped;
    }

    /** Drops a room from the local copy unless the copy holds a newer entry than the deleted one. */
    private void forget(String room, RoutingEntry deleted) {
        copy.computeIfPresent(room, (r, held) -> held.version() <= deleted.version() ? null : held);
    }

    /** @return the rooms where the local copy counts members on a node */
    List<String> roomsOf(NodeId node) {
        List<String> rooms = new ArrayList<>();
        copy.forEach((room, entry) -> {
            if (entry.counts().containsKey(node)) {
                rooms.add(room);
            }
        });
        return rooms;
    }

    /** @return how many rooms the local copy holds */
    int size() {
        return copy.size();
    }

    /**
     * Replaces the local copy with the shared table as it is now, whatever the versions: after a
     * split-brain merge the two sides' versions are not comparable.
     */
    void reload() {
        Map<String, RoutingEntry> fresh = new ConcurrentHashMap<>();
        for (Map.Entry<String, byte[]> e : map.entrySet()) {
            fresh.put(e.getKey(), RoutingEntry.decode(e.getValue()));
        }
        copy.keySet().retainAll(fresh.keySet());
        copy.putAll(fresh);
    }

    /** @return the shared table's entries, read from the cluster (for sweeps) */
    Map<String, RoutingEntry> readAll() {
        Map<String, RoutingEntry> all = new ConcurrentHashMap<>();
        for (Map.Entry<String, byte[]> e : map.entrySet()) {
            all.put(e.getKey(), RoutingEntry.decode(e.getValue()));
        }
        return all;
    }

    private final class Follower implements EntryAddedListener<String, byte[]>, EntryUpdatedListener<String, byte[]>,
            EntryMergedListener<String, byte[]>, EntryRemovedListener<String, byte[]> {

        @Override
        public void entryAdded(EntryEvent<String, byte[]> event) {
            apply(event.getKey(), RoutingEntry.decode(event.getValue()));
        }

        @Override
        public void entryUpdated(EntryEvent<String, byte[]> event) {
            apply(event.getKey(), RoutingEntry.decode(event.getValue()));
        }

        @Override
        public void entryMerged(EntryEvent<String, byte[]> event) {
            if (event.getValue() != null) {
                copy.put(event.getKey(), RoutingEntry.decode(event.getValue()));
            }
        }

        @Override
        public void entryRemoved(EntryEvent<String, byte[]> event) {
            if (event.getOldValue() == null) {
                copy.remove(event.getKey());
            } else {
                forget(event.getKey(), RoutingEntry.decode(event.getOldValue()));
            }
        }
    }
}
