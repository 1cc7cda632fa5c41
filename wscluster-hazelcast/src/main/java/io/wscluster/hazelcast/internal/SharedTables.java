package io.wscluster.hazelcast.internal;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.multimap.MultiMap;
import com.hazelcast.topic.ITopic;
import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;

/**
 * The cluster-wide structures of wscluster, by name. Every lookup reads one partition; none scans
 * sessions.
 * <ul>
 * <li>{@value #SESSIONS}: session id to record, the registry. Only the owning node writes a
 * session's record.</li>
 * <li>{@value #USERS}: user to session ids, for user lookups and presence ({@link UserTable}); every
 * node follows it in a local copy for routing user messages ({@link UserRoutes}).</li>
 * <li>{@value #ROOMS}: a MultiMap room to "session user" ({@link #memberValue}), for room lookups.</li>
 * <li>{@value #INTEREST}: room to node and member count, the routing table ({@link RoutingTable}).</li>
 * <li>{@value #NODES}: node id to record, the node table.</li>
 * <li>{@value #LEASES}: client-mode node id to the time of its last renewal, with a time to live.</li>
 * <li>{@value #EVENTS}: the topic of session and user events.</li>
 * </ul>
 * Session and node records are sealed ({@link Seal}) through {@link #sealSession}/{@link #openSession}
 * and {@link #sealNode}/{@link #openNode}: with a cluster secret, a record a stranger wrote is
 * dropped and counted wherever it is read.
 */
final class SharedTables {

    static final String SESSIONS = "wsc.sessions";
    static final String USERS = "wsc.users";
    static final String ROOMS = "wsc.rooms";
    static final String INTEREST = "wsc.interest";
    static final String NODES = "wsc.nodes";
    static final String LEASES = "wsc.leases";
    static final String EVENTS = "wsc.events";

    final IMap<String, byte[]> sessions;
    final IMap<String, String[]> users;
    final UserTable presence;
    final UserRoutes userRoutes;
    final MultiMap<String, String> roomMembers;
    final RoutingTable routing;
    final IMap<String, byte[]> nodes;
    final IMap<String, Long> leases;
    final ITopic<byte[]> events;
    private final Seal seal;
    private final NodeId reader;

    SharedTables(HazelcastInstance hz, Ticker ticker, Seal seal, NodeId reader) {
        this.seal = seal;
        this.reader = reader;
        this.sessions = hz.getMap(SESSIONS);
        this.users = hz.getMap(USERS);
        this.presence = new UserTable(users);
        this.userRoutes = new UserRoutes(users);
        this.roomMembers = hz.getMultiMap(ROOMS);
        this.routing = new RoutingTable(hz.getMap(INTEREST), ticker, seal, reader);
        this.nodes = hz.getMap(NODES);
        this.leases = hz.getMap(LEASES);
        this.events = hz.getTopic(EVENTS);
    }

    /** @return a session's record as stored in {@value #SESSIONS}, sealed */
    byte[] sealSession(SessionInfo info) {
        return seal.seal(SESSIONS, SessionRecord.encode(info));
    }

    /**
     * @param key   the key the record was read under, or null if unknown (a query of values)
     * @param bytes the stored value
     * @return the session, or null if the record is not authentic or belongs under another key (counted)
     */
    SessionInfo openSession(String key, byte[] bytes) {
        byte[] plain = seal.open(SESSIONS, bytes, reader);
        if (plain == null) {
            return null;
        }
        SessionInfo info = SessionRecord.decode(plain);
        if (seal.isOn() && key != null && !key.equals(info.id().value())) {
            seal.reject(SESSIONS, reader, "the record of session '" + info.id() + "' was stored under '" + key + "'");
            return null;
        }
        return info;
    }

    /** @return a node's record as stored in {@value #NODES}, sealed */
    byte[] sealNode(NodeRecord record) {
        return seal.seal(NODES, record.encode());
    }

    /**
     * @param key   the key the record was read under, or null if unknown
     * @param bytes the stored value
     * @return the node, or null if the record is not authentic or belongs under another key (counted)
     */
    NodeRecord openNode(String key, byte[] bytes) {
        byte[] plain = seal.open(NODES, bytes, reader);
        if (plain == null) {
            return null;
        }
        NodeRecord record = NodeRecord.decode(plain);
        if (seal.isOn() && key != null && !key.equals(record.id().value())) {
            seal.reject(NODES, reader, "the record of node '" + record.id() + "' was stored under '" + key + "'");
            return null;
        }
        return record;
    }

    /** @return a session's value in {@value #ROOMS}: "id user", or the id alone for a session without user */
    static String memberValue(SessionInfo info) {
        return info.user().map(user -> info.id().value() + " " + user).orElse(info.id().value());
    }

    /** @return the session named by a {@value #ROOMS} value */
    static SessionId sessionOfMember(String member) {
        int space = member.indexOf(' ');
        return new SessionId(space < 0 ? member : member.substring(0, space));
    }

    /** @return the node owning the session named by a {@value #ROOMS} value */
    static NodeId ownerOfMember(String member) {
        int space = member.indexOf(' ');
        return new SessionId(space < 0 ? member : member.substring(0, space)).node();
    }
}
