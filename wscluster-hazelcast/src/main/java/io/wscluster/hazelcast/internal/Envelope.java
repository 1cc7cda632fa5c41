package io.wscluster.hazelcast.internal;

import io.wscluster.CloseCode;
import io.wscluster.Message;
import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.Target;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.wscluster.hazelcast.internal.WireFormat.enumAt;
import static io.wscluster.hazelcast.internal.WireFormat.read;
import static io.wscluster.hazelcast.internal.WireFormat.readBytes;
import static io.wscluster.hazelcast.internal.WireFormat.readNullable;
import static io.wscluster.hazelcast.internal.WireFormat.readString;
import static io.wscluster.hazelcast.internal.WireFormat.write;
import static io.wscluster.hazelcast.internal.WireFormat.writeBytes;
import static io.wscluster.hazelcast.internal.WireFormat.writeNullable;
import static io.wscluster.hazelcast.internal.WireFormat.writeString;

/**
 * A message to one node's inbox topic, decoded, and the codec of each kind. Every envelope starts
 * with its kind, a correlation id (0 when no reply is wanted) and the node to reply to; which other
 * fields are set depends on the kind.
 *
 * @param kind        what the envelope asks for
 * @param correlation the id a reply carries, 0 for fire-and-forget
 * @param replyTo     the node to reply to, or null
 * @param targetKind  DELIVER: the kind of target
 * @param name        DELIVER: the target's name; JOIN, LEAVE, DISCONNECT: the session id
 * @param excluded    DELIVER: the session id the target excludes, or null
 * @param message     DELIVER: the message
 * @param room        JOIN, LEAVE, SYNC: the room
 * @param closeCode   DISCONNECT: the close code
 * @param result      REPLY: the result
 * @param entry       SYNC: the routing entry as written
 * @param presence    PRESENCE: announcements of the sending node's sessions of users, applied in order
 */
public record Envelope(Kind kind, long correlation, NodeId replyTo, Target.Kind targetKind, String name,
                       String excluded, Message message, String room, CloseCode closeCode, int result,
                       RoutingEntry entry, List<UserRoutes.Announced> presence) {

    /** Announcements in one PRESENCE envelope at most (a sender batches far fewer). */
    static final int MAX_ANNOUNCED = 100_000;

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
        REPLY,
        /**
         * Apply a node's announcements of its sessions of users (a batch, in order) to the local user
         * routes; reply 1 once all are applied (the presence barrier).
         */
        PRESENCE
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
    static byte[] encodeDeliver(long correlation, NodeId replyTo, Target target, Message message) {
        return write(out -> {
            header(out, Kind.DELIVER, correlation, replyTo);
            out.writeByte(target.kind().ordinal());
            writeString(out, target.name());
            writeNullable(out, target.excluded().map(SessionId::value).orElse(null));
            out.writeBoolean(message.isText());
            writeBytes(out, message.payloadBytes());
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
    static byte[] encodeMembership(boolean join, long correlation, NodeId replyTo, SessionId session, String room) {
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
    static byte[] encodeDisconnect(long correlation, NodeId replyTo, SessionId session, CloseCode code) {
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
     * @param entry       the entry as written
     * @return the bytes
     */
    static byte[] encodeSync(long correlation, NodeId replyTo, String room, RoutingEntry entry) {
        byte[] encoded = entry.encode();
        return write(out -> {
            header(out, Kind.SYNC, correlation, replyTo);
            writeString(out, room);
            writeBytes(out, encoded);
        });
    }

    /**
     * Encodes a batch of a node's announcements of its sessions of users.
     *
     * @param correlation 0 for fire-and-forget, else the reply's id
     * @param replyTo     the node to reply to, or null
     * @param announced   the announcements, in the order to apply them
     * @return the bytes
     */
    static byte[] encodePresence(long correlation, NodeId replyTo, List<UserRoutes.Announced> announced) {
        return write(out -> {
            header(out, Kind.PRESENCE, correlation, replyTo);
            out.writeInt(announced.size());
            for (UserRoutes.Announced a : announced) {
                UserRoutes.Pushed presence = a.pushed();
                writeString(out, a.user());
                writeString(out, presence.node().value());
                out.writeLong(presence.version());
                out.writeInt(presence.sessions().size());
                for (String session : presence.sessions()) {
                    writeString(out, session);
                }
            }
        });
    }

    /**
     * Encodes a reply.
     *
     * @param correlation the request's id
     * @param result      the result
     * @return the bytes
     */
    static byte[] encodeReply(long correlation, int result) {
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
    public static Envelope decode(byte[] bytes) {
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
                    byte[] payload = readBytes(in);
                    Message message = text ? Message.text(new String(payload, StandardCharsets.UTF_8)) : Message.wrapBinary(payload);
                    return new Envelope(kind, correlation, replyNode, targetKind, name, excluded, message, null, null, 0, null, null);
                }
                case JOIN:
                case LEAVE:
                    return new Envelope(kind, correlation, replyNode, null, readString(in), null, null, readString(in), null, 0, null, null);
                case DISCONNECT: {
                    String session = readString(in);
                    CloseCode code = new CloseCode(in.readInt(), readString(in));
                    return new Envelope(kind, correlation, replyNode, null, session, null, null, null, code, 0, null, null);
                }
                case SYNC: {
                    String room = readString(in);
                    RoutingEntry entry = RoutingEntry.decode(readBytes(in));
                    return new Envelope(kind, correlation, replyNode, null, null, null, null, room, null, 0, entry, null);
                }
                case PRESENCE: {
                    int users = in.readInt();
                    if (users < 0 || users > MAX_ANNOUNCED) {
                        throw new IllegalArgumentException("bad announcement count " + users);
                    }
                    List<UserRoutes.Announced> announced = new ArrayList<>(users);
                    for (int u = 0; u < users; u++) {
                        String user = readString(in);
                        NodeId node = new NodeId(readString(in));
                        long version = in.readLong();
                        int count = in.readInt();
                        if (count < 0 || count > 100_000) {
                            throw new IllegalArgumentException("bad session count " + count);
                        }
                        List<String> sessions = new ArrayList<>(count);
                        for (int i = 0; i < count; i++) {
                            sessions.add(new SessionId(readString(in)).value());
                        }
                        announced.add(new UserRoutes.Announced(user, new UserRoutes.Pushed(node, version, List.copyOf(sessions))));
                    }
                    return new Envelope(kind, correlation, replyNode, null, null, null, null, null, null, 0, null,
                            List.copyOf(announced));
                }
                case REPLY:
                    return new Envelope(kind, correlation, null, null, null, null, null, null, null, in.readInt(), null, null);
                default:
                    throw new IllegalArgumentException("unknown envelope kind " + kind);
            }
        });
    }

    private static void header(DataOutputStream out, Kind kind, long correlation, NodeId replyTo) throws IOException {
        out.writeByte(kind.ordinal());
        out.writeLong(correlation);
        writeNullable(out, replyTo == null ? null : replyTo.value());
    }
}
