package io.wscluster.tyrus;

import io.wscluster.annotation.Clustered;

import io.wscluster.Cluster;
import io.wscluster.Delivery;
import io.wscluster.Message;
import io.wscluster.SessionId;
import io.wscluster.Target;
import jakarta.websocket.Session;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The cluster side of one local WebSocket session of a {@link Clustered} endpoint: its cluster-wide
 * id, its user, and the cluster handle. Reach it from the Jakarta {@link Session} in any endpoint
 * method, {@code @OnOpen} included:
 *
 * <pre>{@code
 * @OnOpen
 * public void onOpen(Session session) {
 *     ClusterSession me = ClusterSession.of(session);
 *     me.join("lobby").toCompletableFuture().join();
 *     me.cluster().messenger().sendText(Target.room("lobby").excluding(me.id()), "someone joined");
 * }
 * }</pre>
 *
 * <p>A room joined in {@code @OnOpen} counts once the join completes: a message sent to it between
 * the client's 101 and that moment does not reach this session. For membership from the 101 on,
 * declare the rooms instead ({@code @Clustered(rooms, roomPathParam)}, {@link RoomResolver}).
 *
 * <p>It lives in the session's user properties under {@link #USER_PROPERTY}. Thread-safe.
 *
 * @since 0.1.0
 */
public abstract class ClusterSession {

    /** The key of this handle in {@link Session#getUserProperties()}. */
    public static final String USER_PROPERTY = "io.wscluster.tyrus.ClusterSession";

    /** For the implementation in this module only. */
    protected ClusterSession() {
    }

    /**
     * The cluster handle of a session.
     *
     * @param session a session opened on a {@link Clustered} endpoint deployed by {@link WsServer}
     * @return its handle
     * @throws IllegalStateException if the session is not clustered
     */
    public static ClusterSession of(Session session) {
        return find(session).orElseThrow(() -> new IllegalStateException("Session '" + session.getId()
                + "' is not clustered: its endpoint lacks @Clustered or was not deployed through WsServer"));
    }

    /**
     * The cluster handle of a session, if it has one.
     *
     * @param session any session
     * @return its handle, or empty if the session is not clustered
     */
    public static Optional<ClusterSession> find(Session session) {
        Objects.requireNonNull(session, "session");
        Object handle = session.getUserProperties().get(USER_PROPERTY);
        return handle instanceof ClusterSession cs ? Optional.of(cs) : Optional.empty();
    }

    /** @return the session's cluster-wide id */
    public abstract SessionId id();

    /** @return the session's user, empty for an anonymous session */
    public abstract Optional<String> user();

    /** @return the endpoint path template the session opened on, e.g. {@code /rooms/{room}} */
    public abstract String path();

    /** @return this node's cluster */
    public abstract Cluster cluster();

    /**
     * Makes this session a member of a room; shorthand for {@code cluster().rooms().join(id(), room)}.
     *
     * @param room a valid room name
     * @return completes with true once the membership is visible on every node
     */
    public CompletionStage<Boolean> join(String room) {
        return cluster().rooms().join(id(), room);
    }

    /**
     * Ends this session's membership of a room.
     *
     * @param room a valid room name
     * @return completes with true once the change is visible on every node
     */
    public CompletionStage<Boolean> leave(String room) {
        return cluster().rooms().leave(id(), room);
    }

    /**
     * Sends a message anywhere in the cluster; shorthand for {@code cluster().messenger().send(...)}.
     *
     * @param target  who it is for
     * @param message what to send
     * @return completes with what was targeted
     */
    public CompletionStage<Delivery> send(Target target, Message message) {
        return cluster().messenger().send(target, message);
    }

    /**
     * Takes one token from this connection's inbound rate limit ({@link WsServer.Builder#rateLimit}).
     * When none is left, the server's rate-limit callback is called with this session and false is
     * returned: drop the frame. Always true when no rate limit is configured.
     *
     * @return true if the frame may be processed
     */
    public abstract boolean tryAcquire();

    /** @return messages waiting in this session's outbound queue */
    public abstract int queuedMessages();

    /** @return messages dropped for this session because its outbound queue was full */
    public abstract long droppedMessages();
}
