package io.wscluster.hazelcast.internal;

import io.wscluster.CloseCode;
import io.wscluster.Message;
import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The explicit binary encoding of everything wscluster stores in or sends through Hazelcast.
 *
 * <p>Design notes: values cross the cluster as {@code byte[]}, which Hazelcast carries without a
 * serializer of ours, so a user's own HazelcastInstance needs no serialization config and no
 * application object is ever Java-serialized. Every record starts with a format byte; a reader
 * refuses a format it does not know with a clear message rather than misreading it. Strings are
 * length-prefixed UTF-8 ({@link DataOutputStream#writeUTF} is avoided: it caps at 64 KiB and uses
 * modified UTF-8).
 */
public final class Wire {

    /** Format of a stored session record. */
    static final byte SESSION_V1 = 1;
    /** Format of a stored node record. */
    static final byte NODE_V1 = 1;

    /** Envelope kinds sent to one node's inbox. */
    public enum Kind {
        /** A message to deliver to local sessions; a reply with the count is wanted if the correlation id is not 0. */
        DELIVER,
        /** Join a local session to a room; reply 1 or 0. */
        JOIN,
        /** Remove a local session from a room; reply 1 or 0. */
        LEAVE,
        /** Close a local session's socket; reply 1 or 0. */
        DISCONNECT,
        /** Apply a room's routing entry to the local cache (the join barrier); reply 1. */
        SYNC,
        /** The answer to a request. */
        REPLY
    }

    /** Kinds of cluster event broadcast to every node. */
    public enum EventKind {
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

    private Wire() {
    }

    // ---- stored records ------------------------------------------------------------------------

    /**
     * Encodes a session record for the registry.
     *
     * @param info the session
     * @return the bytes
     */
    public static byte[] encodeSession(SessionInfo info) {
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
     * @param bytes what {@link #encodeSession} wrote
     * @return the session
     */
    public static SessionInfo decodeSession(byte[] bytes) {
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

    /** A node as stored in the node table. */
    public record NodeRecord(NodeId id, String address, Instant joinedAt, String memberUuid, boolean member,
                             boolean leaving) {

        /** @return the same record marked as leaving on purpose */
        public NodeRecord asLeaving() {
            return new NodeRecord(id, address, joinedAt, memberUuid, member, true);
        }

        /**
         * @param uuid the Hazelcast endpoint uuid now (it changes after a split-brain merge)
         * @return the same record with that uuid
         */
        public NodeRecord withMemberUuid(String uuid) {
            return new NodeRecord(id, address, joinedAt, uuid, member, leaving);
        }
    }

    /**
     * Encodes a node record.
     *
     * @param node the node
     * @return the bytes
     */
    public static byte[] encodeNode(NodeRecord node) {
        return write(out -> {
            out.writeByte(NODE_V1);
            writeString(out, node.id().value());
            writeString(out, node.address());
            out.writeLong(node.joinedAt().toEpochMilli());
            writeString(out, node.memberUuid());
            out.writeBoolean(node.member());
            out.writeBoolean(node.leaving());
        });
    }

    /**
     * Decodes a node record.
     *
     * @param bytes what {@link #encodeNode} wrote
     * @return the node
     */
    public static NodeRecord decodeNode(byte[] bytes) {
        return read(bytes, in -> {
            expectFormat(in, NODE_V1, "node record");
            return new NodeRecord(new NodeId(readString(in)), readString(in), Instant.ofEpochMilli(in.readLong()),
                    readString(in), in.readBoolean(), in.readBoolean());
        });
    }

    /**
     * A room's routing entry: which nodes hold how many of its members, and a version that grows
     * with every write of the entry. A version is at least the writer's clock in microseconds, so an
     * entry written after a deleted one outranks it, however many writes the deleted one had seen
     * (entries are deleted only after staying empty far longer than any clock skew, see
     * {@code RoutingTable}).
     *
     * @param version the entry's version, 0 for an entry never written
     * @param counts  node to member count; only nodes with at least one member
     */
    public record Interest(long version, Map<NodeId, Integer> counts) {

        /** The entry of a room nobody ever joined. */
        public static final Interest NONE = new Interest(0, Map.of());

        /** Copies the counts and drops nodes with no members. */
        public Interest {
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
        public Interest with(NodeId node, int count) {
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
        public Interest with(NodeId node, int count, long nowMillis) {
            if (counts.getOrDefault(node, 0) == count) {
                return this;
            }
            Map<NodeId, Integer> next = new HashMap<>(counts);
            if (count > 0) {
                next.put(node, count);
            } else {
                next.remove(node);
            }
            return new Interest(Math.max(version + 1, nowMillis * 1_000), next);
        }

        /** @return this node's clock as a version: microseconds since the epoch (millisecond resolution) */
        public static long clockVersion() {
            return System.currentTimeMillis() * 1_000;
        }

        /** @return the wall-clock time (epoch millis) of this version's write, or earlier */
        public long writtenNoLaterThanMillis() {
            return version / 1_000;
        }
    }

    /**
     * Encodes a room's interest.
     *
     * @param interest the entry
     * @return the bytes
     */
    public static byte[] encodeInterest(Interest interest) {
        return write(out -> {
            out.writeLong(interest.version());
            out.writeInt(interest.counts().size());
            for (Map.Entry<NodeId, Integer> e : interest.counts().entrySet()) {
                writeString(out, e.getKey().value());
                out.writeInt(e.getValue());
            }
        });
    }

    /**
     * Decodes a room's interest.
     *
     * @param bytes what {@link #encodeInterest} wrote, or null for a room never joined
     * @return the entry
     */
    public static Interest decodeInterest(byte[] bytes) {
        if (bytes == null) {
            return Interest.NONE;
        }
        return read(bytes, in -> {
            long version = in.readLong();
            int size = readCount(in);
            Map<NodeId, Integer> counts = new HashMap<>(size * 2);
            for (int i = 0; i < size; i++) {
                counts.put(new NodeId(readString(in)), in.readInt());
            }
            return new Interest(version, counts);
        });
    }

    // ---- envelopes between nodes ---------------------------------------------------------------

    /** A decoded envelope; which fields are set depends on the kind. */
    public record Envelope(Kind kind, long correlation, NodeId replyTo, Target.Kind targetKind, String name,
                           String excluded, Message message, String room, CloseCode closeCode, int result,
                           Interest interest) {
    }

    /**
     * Encodes a message to deliver on the receiving node.
     *
     * @param correlation 0 for fire-and-forget, else the id the count reply carries
     * @param replyTo     the node to reply to, or null when no reply is wanted
     * @param target      who on the receiving node gets it
     * @param message     the message
     * @return the bytes
     */
    public static byte[] encodeDeliver(long correlation, NodeId replyTo, Target target, Message message) {
        return write(out -> {
            header(out, Kind.DELIVER, correlation, replyTo);
            out.writeByte(target.kind().ordinal());
            writeString(out, target.name());
            writeNullable(out, target.excluded().map(SessionId::value).orElse(null));
            out.writeBoolean(message.isText());
            byte[] payload = message.payloadBytes();
            out.writeInt(payload.length);
            out.write(payload);
        });
    }

    /**
     * Encodes a join or leave request for a session owned by the receiving node.
     *
     * @param join        true to join, false to leave
     * @param correlation the reply's id
     * @param replyTo     the node to reply to
     * @param session     the session
     * @param room        the room
     * @return the bytes
     */
    public static byte[] encodeMembership(boolean join, long correlation, NodeId replyTo, SessionId session, String room) {
        return write(out -> {
            header(out, join ? Kind.JOIN : Kind.LEAVE, correlation, replyTo);
            writeString(out, session.value());
            writeString(out, room);
        });
    }

    /**
     * Encodes a request to close a session owned by the receiving node.
     *
     * @param correlation the reply's id
     * @param replyTo     the node to reply to
     * @param session     the session
     * @param code        close code and reason
     * @return the bytes
     */
    public static byte[] encodeDisconnect(long correlation, NodeId replyTo, SessionId session, CloseCode code) {
        return write(out -> {
            header(out, Kind.DISCONNECT, correlation, replyTo);
            writeString(out, session.value());
            out.writeInt(code.code());
            writeString(out, code.reason());
        });
    }

    /**
     * Encodes a routing-entry sync: the receiver applies the entry if it is newer than its own.
     *
     * @param correlation the reply's id
     * @param replyTo     the node to reply to
     * @param room        the room
     * @param interest    the entry as written
     * @return the bytes
     */
    public static byte[] encodeSync(long correlation, NodeId replyTo, String room, Interest interest) {
        byte[] entry = encodeInterest(interest);
        return write(out -> {
            header(out, Kind.SYNC, correlation, replyTo);
            writeString(out, room);
            out.writeInt(entry.length);
            out.write(entry);
        });
    }

    /**
     * Encodes a reply.
     *
     * @param correlation the request's id
     * @param result      the result
     * @return the bytes
     */
    public static byte[] encodeReply(long correlation, int result) {
        return write(out -> {
            header(out, Kind.REPLY, correlation, null);
            out.writeInt(result);
        });
    }

    /**
     * Decodes any envelope.
     *
     * @param bytes the bytes
     * @return the envelope
     * @throws IllegalArgumentException if the bytes are not an envelope
     */
    public static Envelope decodeEnvelope(byte[] bytes) {
        return read(bytes, in -> {
            Kind kind = enumAt(Kind.values(), in.readUnsignedByte(), "envelope kind");
            long correlation = in.readLong();
            String replyTo = readNullable(in);
            NodeId replyNode = replyTo == null ? null : new NodeId(replyTo);
            switch (kind) {
                case DELIVER: {
                    Target.Kind targetKind = enumAt(Target.Kind.values(), in.readUnsignedByte(), "target kind");
                    String name = readString(in);
                    String excluded = readNullable(in);
                    boolean text = in.readBoolean();
                    byte[] payload = new byte[readCount(in)];
                    in.readFully(payload);
                    Message message = text ? Message.text(new String(payload, StandardCharsets.UTF_8)) : Message.wrapBinary(payload);
                    return new Envelope(kind, correlation, replyNode, targetKind, name, excluded, message, null, null, 0, null);
                }
                case JOIN:
                case LEAVE:
                    return new Envelope(kind, correlation, replyNode, null, readString(in), null, null, readString(in), null, 0, null);
                case DISCONNECT: {
                    String session = readString(in);
                    CloseCode code = new CloseCode(in.readInt(), readString(in));
                    return new Envelope(kind, correlation, replyNode, null, session, null, null, null, code, 0, null);
                }
                case SYNC: {
                    String room = readString(in);
                    byte[] entry = new byte[readCount(in)];
                    in.readFully(entry);
                    return new Envelope(kind, correlation, replyNode, null, null, null, null, room, null, 0, decodeInterest(entry));
                }
                case REPLY:
                    return new Envelope(kind, correlation, null, null, null, null, null, null, null, in.readInt(), null);
                default:
                    throw new IllegalArgumentException("unknown envelope kind " + kind);
            }
        });
    }

    // ---- cluster events ------------------------------------------------------------------------

    /** A decoded cluster event: a session for OPENED/CLOSED/LOST, a user and session for ONLINE/OFFLINE. */
    public record Event(EventKind kind, SessionInfo session, String user, SessionId sessionId) {
    }

    /**
     * Encodes a session event.
     *
     * @param kind    OPENED, CLOSED or LOST
     * @param session the session
     * @return the bytes
     */
    public static byte[] encodeSessionEvent(EventKind kind, SessionInfo session) {
        byte[] record = encodeSession(session);
        return write(out -> {
            out.writeByte(kind.ordinal());
            out.writeInt(record.length);
            out.write(record);
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
    public static byte[] encodeUserEvent(EventKind kind, String user, SessionId session) {
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
     */
    public static Event decodeEvent(byte[] bytes) {
        return read(bytes, in -> {
            EventKind kind = enumAt(EventKind.values(), in.readUnsignedByte(), "event kind");
            if (kind == EventKind.ONLINE || kind == EventKind.OFFLINE) {
                return new Event(kind, null, readString(in), new SessionId(readString(in)));
            }
            byte[] record = new byte[readCount(in)];
            in.readFully(record);
            SessionInfo session = decodeSession(record);
            return new Event(kind, session, session.user().orElse(null), session.id());
        });
    }

    // ---- primitives ----------------------------------------------------------------------------

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] bytes, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            T value = reader.read(in);
            if (in.available() > 0) {
                throw new IllegalArgumentException("trailing " + in.available() + " bytes after a wscluster record");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated wscluster record of " + bytes.length + " bytes", e);
        }
    }

    private static void header(DataOutputStream out, Kind kind, long correlation, NodeId replyTo) throws IOException {
        out.writeByte(kind.ordinal());
        out.writeLong(correlation);
        writeNullable(out, replyTo == null ? null : replyTo.value());
    }

    private static void expectFormat(DataInputStream in, byte expected, String what) throws IOException {
        int format = in.readUnsignedByte();
        if (format != expected) {
            throw new IllegalArgumentException(what + " has format " + format + " but this version reads only " + expected
                    + "; are nodes of different wscluster versions in one cluster?");
        }
    }

    private static <E extends Enum<E>> E enumAt(E[] values, int ordinal, String what) {
        if (ordinal >= values.length) {
            throw new IllegalArgumentException("unknown " + what + " " + ordinal);
        }
        return values[ordinal];
    }

    private static int readCount(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > in.available()) {
            throw new IllegalArgumentException("corrupt wscluster record: count " + count + " with " + in.available() + " bytes left");
        }
        return count;
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] utf8 = new byte[readCount(in)];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static void writeNullable(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            writeString(out, value);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }
}
