package io.wscluster.hazelcast.internal;

import io.wscluster.SessionId;
import io.wscluster.SessionInfo;

import static io.wscluster.hazelcast.internal.WireFormat.enumAt;
import static io.wscluster.hazelcast.internal.WireFormat.read;
import static io.wscluster.hazelcast.internal.WireFormat.readBytes;
import static io.wscluster.hazelcast.internal.WireFormat.readString;
import static io.wscluster.hazelcast.internal.WireFormat.write;
import static io.wscluster.hazelcast.internal.WireFormat.writeBytes;
import static io.wscluster.hazelcast.internal.WireFormat.writeString;

/**
 * A cluster event as broadcast to every node on the event topic, decoded, and its codec: the kind,
 * then a {@link SessionRecord} for OPENED, CLOSED and LOST, or a user and a session id for ONLINE
 * and OFFLINE.
 *
 * @param kind      what happened
 * @param session   the session (OPENED, CLOSED, LOST), else null
 * @param user      the user, or null for an anonymous session
 * @param sessionId the session that caused it
 */
record TopicEvent(Kind kind, SessionInfo session, String user, SessionId sessionId) {

    /** Kinds of cluster event broadcast to every node. */
    enum Kind {
        /** A session opened. */
        OPENED,
        /** A session closed on its node. */
        CLOSED,
        /** A session vanished with its node. */
        LOST,
        /** A user's first session opened. */
        ONLINE,
        /** A user's last session closed. */
        OFFLINE
    }

    /**
     * Encodes a session event.
     *
     * @param kind    OPENED, CLOSED or LOST
     * @param session the session
     * @return the bytes
     */
    static byte[] encodeSession(Kind kind, SessionInfo session) {
        byte[] record = SessionRecord.encode(session);
        return write(out -> {
            out.writeByte(kind.ordinal());
            writeBytes(out, record);
        });
    }

    /**
     * Encodes a presence event.
     *
     * @param kind    ONLINE or OFFLINE
     * @param user    the user
     * @param session the session that caused it
     * @return the bytes
     */
    static byte[] encodeUser(Kind kind, String user, SessionId session) {
        return write(out -> {
            out.writeByte(kind.ordinal());
            writeString(out, user);
            writeString(out, session.value());
        });
    }

    /**
     * Decodes a cluster event.
     *
     * @param bytes the bytes
     * @return the event
     * @throws IllegalArgumentException if the bytes are not an event
     */
    static TopicEvent decode(byte[] bytes) {
        return read(bytes, in -> {
            Kind kind = enumAt(Kind.values(), in.readUnsignedByte(), "event kind");
            if (kind == Kind.ONLINE || kind == Kind.OFFLINE) {
                return new TopicEvent(kind, null, readString(in), new SessionId(readString(in)));
            }
            SessionInfo session = SessionRecord.decode(readBytes(in));
            return new TopicEvent(kind, session, session.user().orElse(null), session.id());
        });
    }
}
