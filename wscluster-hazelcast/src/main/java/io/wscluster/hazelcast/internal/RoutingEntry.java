package io.wscluster.hazelcast.internal;

import io.wscluster.NodeId;

import java.util.HashMap;
import java.util.Map;

import static io.wscluster.hazelcast.internal.WireFormat.read;
import static io.wscluster.hazelcast.internal.WireFormat.readCount;
import static io.wscluster.hazelcast.internal.WireFormat.readString;
import static io.wscluster.hazelcast.internal.WireFormat.write;
import static io.wscluster.hazelcast.internal.WireFormat.writeString;

/**
 * A room's routing entry, and its codec: which nodes hold how many of its members, and a version
 * that grows with every write of the entry. A version is at least the writer's clock in
 * microseconds, so an entry written after a deleted one outranks it, however many writes the
 * deleted one had seen (entries are deleted only after staying empty far longer than any clock
 * skew, see {@link RoutingTable}).
 *
 * @param version the entry's version, 0 for an entry never written
 * @param counts  node to member count; only nodes with at least one member
 */
public record RoutingEntry(long version, Map<NodeId, Integer> counts) {

    /** The entry of a room nobody ever joined. */
    public static final RoutingEntry NONE = new RoutingEntry(0, Map.of());

    /** Copies the counts and drops nodes with no members. */
    public RoutingEntry {
        Map<NodeId, Integer> positive = new HashMap<>();
        counts.forEach((node, count) -> {
            if (count > 0) {
                positive.put(node, count);
            }
        });
        counts = Map.copyOf(positive);
    }

    /**
     * The next version of this entry with one node's count set.
     *
     * @param node  the node
     * @param count its member count, 0 to drop it
     * @return the new entry, or this one if nothing changes
     */
    public RoutingEntry with(NodeId node, int count) {
        return with(node, count, System.currentTimeMillis());
    }

    /**
     * The next version of this entry with one node's count set, versioned from the given clock.
     *
     * @param node      the node
     * @param count     its member count, 0 to drop it
     * @param nowMillis the writer's wall clock, in milliseconds since the epoch
     * @return the new entry, or this one if nothing changes
     */
    public RoutingEntry with(NodeId node, int count, long nowMillis) {
        if (counts.getOrDefault(node, 0) == count) {
            return this;
        }
        Map<NodeId, Integer> next = new HashMap<>(counts);
        if (count > 0) {
            next.put(node, count);
        } else {
            next.remove(node);
        }
        return new RoutingEntry(Math.max(version + 1, nowMillis * 1_000), next);
    }

    /** @return this node's clock as a version: microseconds since the epoch (millisecond resolution) */
    public static long clockVersion() {
        return System.currentTimeMillis() * 1_000;
    }

    /** @return the wall-clock time (epoch millis) of this version's write, or earlier */
    public long writtenNoLaterThanMillis() {
        return version / 1_000;
    }

    /** @return this entry's bytes, as stored in {@code wsc.interest} */
    public byte[] encode() {
        return write(out -> {
            out.writeLong(version);
            out.writeInt(counts.size());
            for (Map.Entry<NodeId, Integer> e : counts.entrySet()) {
                writeString(out, e.getKey().value());
                out.writeInt(e.getValue());
            }
        });
    }

    /**
     * Decodes a routing entry.
     *
     * @param bytes what {@link #encode} wrote, or null for a room never joined
     * @return the entry
     * @throws IllegalArgumentException if the bytes are not a routing entry
     */
    public static RoutingEntry decode(byte[] bytes) {
        if (bytes == null) {
            return NONE;
        }
        return read(bytes, in -> {
            long version = in.readLong();
            int size = readCount(in);
            Map<NodeId, Integer> counts = new HashMap<>(size * 2);
            for (int i = 0; i < size; i++) {
                counts.put(new NodeId(readString(in)), in.readInt());
            }
            return new RoutingEntry(version, counts);
        });
    }
}
