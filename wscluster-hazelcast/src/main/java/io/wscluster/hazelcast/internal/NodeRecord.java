package io.wscluster.hazelcast.internal;

import io.wscluster.NodeId;

import java.time.Instant;

import static io.wscluster.hazelcast.internal.WireFormat.expectFormat;
import static io.wscluster.hazelcast.internal.WireFormat.read;
import static io.wscluster.hazelcast.internal.WireFormat.readString;
import static io.wscluster.hazelcast.internal.WireFormat.write;
import static io.wscluster.hazelcast.internal.WireFormat.writeString;

/**
 * A node as stored in the node table {@code wsc.nodes}, and its codec.
 *
 * @param id         the node's id
 * @param address    the address it reports
 * @param joinedAt   when it registered
 * @param memberUuid its Hazelcast endpoint uuid
 * @param member     true for a Hazelcast member, false for a node on a Hazelcast client
 * @param leaving    true once it is leaving on purpose
 */
record NodeRecord(NodeId id, String address, Instant joinedAt, String memberUuid, boolean member, boolean leaving) {

    /** Format of a stored node record. */
    static final byte NODE_V1 = 1;

    /** @return the same record marked as leaving on purpose */
    NodeRecord asLeaving() {
        return new NodeRecord(id, address, joinedAt, memberUuid, member, true);
    }

    /**
     * @param uuid the Hazelcast endpoint uuid now (it changes after a split-brain merge)
     * @return the same record with that uuid
     */
    NodeRecord withMemberUuid(String uuid) {
        return new NodeRecord(id, address, joinedAt, uuid, member, leaving);
    }

    /** @return this record's bytes */
    byte[] encode() {
        return write(out -> {
            out.writeByte(NODE_V1);
            writeString(out, id.value());
            writeString(out, address);
            out.writeLong(joinedAt.toEpochMilli());
            writeString(out, memberUuid);
            out.writeBoolean(member);
            out.writeBoolean(leaving);
        });
    }

    /**
     * Decodes a node record.
     *
     * @param bytes what {@link #encode} wrote
     * @return the node
     * @throws IllegalArgumentException if the bytes are not a node record of this version
     */
    static NodeRecord decode(byte[] bytes) {
        return read(bytes, in -> {
            expectFormat(in, NODE_V1, "node record");
            return new NodeRecord(new NodeId(readString(in)), readString(in), Instant.ofEpochMilli(in.readLong()),
                    readString(in), in.readBoolean(), in.readBoolean());
        });
    }
}
