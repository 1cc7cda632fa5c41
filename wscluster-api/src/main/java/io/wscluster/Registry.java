package io.wscluster;

import java.util.List;
import java.util.Optional;
import java.util.SortedSet;

/**
 * The cluster-wide view of open sessions.
 *
 * <p>Lookups by id, user and room read one partition of the cluster's data (one network hop at
 * most); none of them scans all sessions. What a call returns reflects every change whose own call
 * has completed (a session's open, a completed {@link Rooms#join}); sessions of a node that died
 * vanish within the configured failure timeout.
 *
 * @since 0.1.0
 */
public interface Registry {

    /**
     * A session by id, wherever it lives.
     *
     * @param id the session id
     * @return the session, or empty if no such session is open
     */
    Optional<SessionInfo> session(SessionId id);

    /**
     * The open sessions of a user on all nodes.
     *
     * @param user a valid user name
     * @return the sessions, ordered by id; empty if the user is offline
     */
    List<SessionInfo> sessionsOfUser(String user);

    /**
     * The sessions that are members of a room on all nodes.
     *
     * @param room a valid room name
     * @return the members, ordered by id; empty if the room has none
     */
    List<SessionInfo> sessionsInRoom(String room);

    /**
     * The distinct users with at least one session in a room, cluster-wide.
     *
     * @param room a valid room name
     * @return the users, sorted by Unicode code point
     */
    SortedSet<String> usersInRoom(String room);

    /**
     * Tells whether a user has at least one open session anywhere in the cluster.
     *
     * @param user a valid user name
     * @return true if online
     */
    boolean isOnline(String user);

    /**
     * The sessions whose sockets live on this node.
     *
     * @return a snapshot, ordered by id
     */
    List<SessionInfo> localSessions();

    /** @return the number of sessions open on this node (no network call) */
    int localCount();

    /** @return the number of sessions open in the whole cluster */
    int clusterCount();
}
