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
 * endpoint's {@code @OnOpen} runs, and deregistered exactly once when it closes or fails.
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
     * The name of a path parameter whose value is a room the session joins when it opens, before
     * {@code @OnOpen} runs; empty (the default) for none. A value that is not a valid room name
     * closes the session with 1008.
     *
     * @return the path parameter name, or empty
     */
    String roomPathParam() default "";
}
