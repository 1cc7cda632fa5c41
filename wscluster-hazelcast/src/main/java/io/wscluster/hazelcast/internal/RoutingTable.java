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
 *
 * <p>Entries are sealed for their room ({@link Seal}): with a cluster secret, an entry that does not
 * verify is never applied to the copy, and the next node write or sweep replaces or deletes it.
 */
final class RoutingTable {

    private final IMap<String, byte[]> map;
    private final Map<String, RoutingEntry> copy = new ConcurrentHashMap<>();
    private final Ticker ticker;
    private final Seal seal;
    private final NodeId reader;
    private UUID listener;

    RoutingTable(IMap<String, byte[]> map, Ticker ticker, Seal seal, NodeId reader) {
        this.map = map;
        this.ticker = ticker;
        this.seal = seal;
        this.reader = reader;
    }

    /** @return the authentic entry stored for a room, {@link RoutingEntry#NONE} if none, null if it is not authentic (counted) */
    private RoutingEntry open(String room, byte[] stored) {
        if (stored == null) {
            return RoutingEntry.NONE;
        }
        byte[] plain = seal.open(SharedTables.INTEREST + "/" + room, stored, reader);
        return plain == null ? null : RoutingEntry.decode(plain);
    }

    /** Applies an entry read from the table, unless it is not authentic. */
    private void applyStored(String room, byte[] stored) {
        RoutingEntry entry = open(room, stored);
        if (entry != null) {
            apply(room, entry);
        }
    }

    /** Starts following the IMap: listener first, then a snapshot, so no change falls between. */
    void start() {
        listener = map.addEntryListener(new Follower(), true);
        for (Map.Entry<String, byte[]> e : map.entrySet()) {
            applyStored(e.getKey(), e.getValue());
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
            RoutingEntry current = open(room, old);
            if (current == null) {
                current = RoutingEntry.NONE; // a stranger's entry: overwritten below
            }
            RoutingEntry next = current.with(node, count, ticker.wallMillis());
            if (next == current && (old == null || current != RoutingEntry.NONE)) {
                apply(room, current);
                return null;
            }
            byte[] encoded = seal.seal(SharedTables.INTEREST + "/" + room, next.encode());
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
            RoutingEntry entry = open(room, bytes);
            if (entry == null) {
                map.remove(room, bytes);
                continue;
            }
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
            RoutingEntry entry = open(e.getKey(), e.getValue());
            if (entry != null) {
                fresh.put(e.getKey(), entry);
            }
        }
        copy.keySet().retainAll(fresh.keySet());
        copy.putAll(fresh);
    }

    /** @return the shared table's entries, read from the cluster (for sweeps) */
    Map<String, RoutingEntry> readAll() {
        Map<String, RoutingEntry> all = new ConcurrentHashMap<>();
        for (Map.Entry<String, byte[]> e : map.entrySet()) {
            RoutingEntry entry = open(e.getKey(), e.getValue());
            if (entry != null) {
                all.put(e.getKey(), entry);
            }
        }
        return all;
    }

    private final class Follower implements EntryAddedListener<String, byte[]>, EntryUpdatedListener<String, byte[]>,
            EntryMergedListener<String, byte[]>, EntryRemovedListener<String, byte[]> {

        @Override
        public void entryAdded(EntryEvent<String, byte[]> event) {
            applyStored(event.getKey(), event.getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<String, byte[]> event) {
            applyStored(event.getKey(), event.getValue());
        }

        @Override
        public void entryMerged(EntryEvent<String, byte[]> event) {
            RoutingEntry entry = event.getValue() == null ? null : open(event.getKey(), event.getValue());
            if (entry != null) {
                copy.put(event.getKey(), entry);
            }
        }

        @Override
        public void entryRemoved(EntryEvent<String, byte[]> event) {
            if (event.getOldValue() == null) {
                copy.remove(event.getKey());
            } else {
                RoutingEntry entry = open(event.getKey(), event.getOldValue());
                if (entry != null) {
                    forget(event.getKey(), entry);
                }
            }
        }
    }
}
