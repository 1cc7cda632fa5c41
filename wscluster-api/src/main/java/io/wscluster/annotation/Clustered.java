package io.wscluster.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a Jakarta {@code @ServerEndpoint} class as clustered: every session that opens on it is
 * registered in the cluster registry (endpoint path template, user, attributes) before its client
 * has the handshake response (wscluster-tyrus registers it in {@code modifyHandshake}), so before the
 * endpoint's {@code @OnOpen} runs, and deregistered exactly once when it closes or fails. Each such
 * session has a {@link io.wscluster.ClusterSession}, reached with {@code ClusterSession.of(session)}.
 *
 * <pre>{@code
 * @Clustered(roomPathParam = "room")
 * @ServerEndpoint("/rooms/{room}")
 * public class RoomEndpoint {
 *     @OnMessage
 *     public void onMessage(Session session, String text) {
 *         ClusterSession me = ClusterSession.of(session);
 *         me.cluster().messenger().sendText(Target.room(session.getPathParameters().get("room")), text);
 *     }
 * }
 * }</pre>
 *
 * <p>A server integration gives the annotation its effect: wscluster-tyrus does for endpoints
 * deployed through its {@code WsServer}, whose {@code UserResolver} names each session's user.
 *
 * @since 0.1.0
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Clustered {

    /**
     * The name of a path parameter whose value is a room the session joins during its handshake,
     * before its client has the 101 (so a message sent to the room from any node once the client is
     * connected reaches it) and before {@code @OnOpen} runs; empty (the default) for none. A value
     * that is not a valid room name closes the session with 1008.
     *
     * @return the path parameter name, or empty
     */
    String roomPathParam() default "";

    /**
     * Rooms every session of this endpoint joins during its handshake, before its client has the
     * 101, with the same guarantee as {@link #roomPathParam()}; empty (the default) for none. Each
     * must be a valid room name ({@code io.wscluster.Names#isValidRoom}), or deployment fails.
     *
     * <pre>{@code
     * @Clustered(rooms = {"lobby"})
     * @ServerEndpoint("/chat")
     * public class LobbyEndpoint { ... }
     * }</pre>
     *
     * @return the room names
     * @since 0.1.0
     */
    String[] rooms() default {};
}
