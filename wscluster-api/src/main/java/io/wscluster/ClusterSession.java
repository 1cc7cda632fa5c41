package io.wscluster;

import io.wscluster.annotation.Clustered;
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
 * declare the rooms instead ({@code @Clustered(rooms, roomPathParam)}, or wscluster-tyrus's
 * {@code RoomResolver}).
 *
 * <p>A server integration implements it (wscluster-tyrus does for endpoints deployed through its
 * {@code WsServer}) and stores each session's handle in {@link Session#getUserProperties()} under
 * {@link #USER_PROPERTY}, where {@link #of} and {@link #find} look it up; applications do not
 * implement it. Thread-safe.
 *
 * @since 0.1.0
 */
public interface ClusterSession {

    /**
     * The key under which a server integration stores the handle, the {@code ClusterSession}
     * itself, in {@link Session#getUserProperties()}.
     */
    String USER_PROPERTY = "io.wscluster.ClusterSession";

    /**
     * The cluster handle of a session.
     *
     * @param session a session opened on a {@link Clustered} endpoint deployed by a server
     *                integration such as wscluster-tyrus's {@code WsServer}
     * @return its handle
     * @throws IllegalStateException if the session is not clustered
     */
    // jakarta.websocket.client is an optional module (requires static): a caller has a Session, so it has the API
    @SuppressWarnings("exports")
    static ClusterSession of(Session session) {
        return find(session).orElseThrow(() -> new IllegalStateException("Session '" + session.getId()
                + "' is not clustered: its endpoint lacks @Clustered or was not deployed through WsServer"));
    }

    /**
     * The cluster handle of a session, if it has one.
     *
     * @param session any session
     * @return its handle, or empty if the session is not clustered
     */
    @SuppressWarnings("exports") // as for of(Session)
    static Optional<ClusterSession> find(Session session) {
        Objects.requireNonNull(session, "session");
        Object handle = session.getUserProperties().get(USER_PROPERTY);
        return handle instanceof ClusterSession cs ? Optional.of(cs) : Optional.empty();
    }

    /** @return the session's cluster-wide id */
    SessionId id();

    /** @return the session's user, empty for an anonymous session */
    Optional<String> user();

    /** @return the endpoint path template the session opened on, e.g. {@code /rooms/{room}} */
    String path();

    /** @return this node's cluster */
    Cluster cluster();

    /**
     * Makes this session a member of a room; shorthand for {@code cluster().rooms().join(id(), room)}.
     *
     * @param room a valid room name
     * @return completes with true once the membership is visible on every node
     */
    default CompletionStage<Boolean> join(String room) {
        return cluster().rooms().join(id(), room);
    }

    /**
     * Makes this session a member of a room, replaying history first; shorthand for
     * {@code cluster().rooms().join(id(), room, replay)}.
     *
     * @param room   a valid room name
     * @param replay what to replay before live messages
     * @return completes once the membership is visible on every node and the replay is queued
     * @since 0.2.0
     */
    default CompletionStage<JoinResult> join(String room, Replay replay) {
        return cluster().rooms().join(id(), room, replay);
    }

    /**
     * Ends this session's membership of a room.
     *
     * @param room a valid room name
     * @return completes with true once the change is visible on every node
     */
    default CompletionStage<Boolean> leave(String room) {
        return cluster().rooms().leave(id(), room);
    }

    /**
     * Sends a message anywhere in the cluster; shorthand for {@code cluster().messenger().send(...)}.
     *
     * @param target  who it is for
     * @param message what to send
     * @return completes with what was targeted
     */
    default CompletionStage<Delivery> send(Target target, Message message) {
        return cluster().messenger().send(target, message);
    }

    /**
     * Takes one token from this connection's inbound rate limit (wscluster-tyrus's
     * {@code WsServerBuilder#rateLimit}). When none is left, the server's rate-limit callback is
     * called with this session and false is returned: drop the frame. Always true when no rate limit
     * is configured.
     *
     * @return true if the frame may be processed
     */
    boolean tryAcquire();

    /** @return messages waiting in this session's outbound queue */
    int queuedMessages();

    /** @return messages dropped for this session because its outbound queue was full */
    long droppedMessages();
}
