package io.wscluster.hazelcast.internal;

import io.wscluster.SessionId;
import io.wscluster.SessionInfo;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.wscluster.hazelcast.internal.WireFormat.expectFormat;
import static io.wscluster.hazelcast.internal.WireFormat.read;
import static io.wscluster.hazelcast.internal.WireFormat.readCount;
import static io.wscluster.hazelcast.internal.WireFormat.readNullable;
import static io.wscluster.hazelcast.internal.WireFormat.readString;
import static io.wscluster.hazelcast.internal.WireFormat.write;
import static io.wscluster.hazelcast.internal.WireFormat.writeNullable;
import static io.wscluster.hazelcast.internal.WireFormat.writeString;

/**
 * The codec of a session as stored in the registry map {@code wsc.sessions} and carried by session
 * events: format byte, id, path, user, rooms, attributes, opening time.
 */
public final class SessionRecord {

    /** Format of a stored session record. */
    static final byte SESSION_V1 = 1;

    private SessionRecord() {
    }

    /**
     * Encodes a session record for the registry.
     *
     * @param info the session
     * @return the bytes
     */
    public static byte[] encode(SessionInfo info) {
        return write(out -> {
            out.writeByte(SESSION_V1);
            writeString(out, info.id().value());
            writeString(out, info.path());
            writeNullable(out, info.user().orElse(null));
            out.writeInt(info.rooms().size());
            for (String room : info.rooms()) {
                writeString(out, room);
            }
            out.writeInt(info.attributes().size());
            for (Map.Entry<String, String> e : info.attributes().entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
            out.writeLong(info.openedAt().toEpochMilli());
        });
    }

    /**
     * Decodes a session record.
     *
     * @param bytes what {@link #encode} wrote
     * @return the session
     * @throws IllegalArgumentException if the bytes are not a session record of this version
     */
    public static SessionInfo decode(byte[] bytes) {
        return read(bytes, in -> {
            expectFormat(in, SESSION_V1, "session record");
            SessionId id = new SessionId(readString(in));
            String path = readString(in);
            String user = readNullable(in);
            int roomCount = readCount(in);
            Set<String> rooms = new TreeSet<>();
            for (int i = 0; i < roomCount; i++) {
                rooms.add(readString(in));
            }
            int attributeCount = readCount(in);
            Map<String, String> attributes = new LinkedHashMap<>();
            for (int i = 0; i < attributeCount; i++) {
                attributes.put(readString(in), readString(in));
            }
            Instant openedAt = Instant.ofEpochMilli(in.readLong());
            return new SessionInfo(id, path, user, rooms, attributes, openedAt);
        });
    }
}
