package io.wscluster.tyrus.internal;

import io.wscluster.SessionId;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.Session;

import java.util.List;
import java.util.Map;

/**
 * What the server keeps about one session, from its handshake to its close.
 *
 * <p>Design notes. Tyrus offers one way from the configurator's {@code modifyHandshake} to the
 * session it then opens: the configurator's user properties, which Tyrus copies into the session's.
 * So the outcome of the handshake (the resolved user, the initial rooms, the id of the session when
 * it was registered during the handshake) is kept in this one object, stored there under one key,
 * and the same object then holds the state of the open session (its cluster handle, a close decided
 * before the application's {@code onOpen}, the application's endpoint). A session of an endpoint
 * that is not clustered gets its state when it opens. The only other entry the server puts into a
 * session's user properties is the application's handle, under the API's
 * {@code ClusterSession.USER_PROPERTY}.
 */
final class SessionState {

    private static final String KEY = SessionState.class.getName();

    private final String user;
    private final List<String> rooms;
    private volatile SessionId reserved;
    volatile LocalSession local;
    volatile CloseReason refusal;
    volatile Endpoint delegate;
    volatile boolean delegateOpened;

    private SessionState(String user, List<String> rooms) {
        this.user = user;
        this.rooms = List.copyOf(rooms);
    }

    /**
     * The state of a session whose handshake was accepted, kept in the handshake's user properties.
     *
     * @param handshakeProperties the configurator's user properties of this handshake
     * @param user                the resolved user, or null
     * @param rooms               the rooms to join before the 101
     * @return the state
     */
    static SessionState atHandshake(Map<String, Object> handshakeProperties, String user, List<String> rooms) {
        SessionState state = new SessionState(user, rooms);
        handshakeProperties.put(KEY, state);
        return state;
    }

    /** @return the state the handshake left in the session, or a new empty one, now kept in the session */
    static SessionState atOpen(Session session) {
        SessionState state = of(session);
        if (state == null) {
            state = new SessionState(null, List.of());
            session.getUserProperties().put(KEY, state);
        }
        return state;
    }

    /** @return the session's state, or null if it has none */
    static SessionState of(Session session) {
        return session.getUserProperties().get(KEY) instanceof SessionState s ? s : null;
    }

    /** @return the user the handshake resolved, or null */
    String user() {
        return user;
    }

    /** @return the rooms the handshake chose */
    List<String> rooms() {
        return rooms;
    }

    /** @return the id the session was registered under during its handshake, or null */
    SessionId reserved() {
        return reserved;
    }

    /** @param id the id the session was registered under during its handshake */
    void reserved(SessionId id) {
        this.reserved = id;
    }
}
