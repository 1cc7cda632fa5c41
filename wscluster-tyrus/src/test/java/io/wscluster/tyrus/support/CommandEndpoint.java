package io.wscluster.tyrus.support;

import io.wscluster.CloseCode;
import io.wscluster.ClusterSession;
import io.wscluster.Message;
import io.wscluster.SessionId;
import io.wscluster.Target;
import io.wscluster.annotation.Clustered;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A clustered test endpoint driven by one-line commands {@code op:arg:body}; every reply goes back
 * through the cluster to the session's own id, so it travels the same path as any delivery.
 */
@Clustered
@ServerEndpoint("/chat")
public class CommandEndpoint {

    /** How many times {@code @OnOpen} ran, in this JVM. */
    public static final AtomicInteger OPENED = new AtomicInteger();
    /** How many times {@code @OnClose} ran, in this JVM. */
    public static final AtomicInteger CLOSED = new AtomicInteger();

    @OnOpen
    public void onOpen(Session session) {
        OPENED.incrementAndGet();
        ClusterSession me = ClusterSession.of(session);
        reply(me, "hello:" + me.id() + ":" + me.user().orElse("-"));
    }

    @OnMessage
    public void onMessage(Session session, String text) {
        ClusterSession me = ClusterSession.of(session);
        String[] p = text.split(":", 3);
        switch (p[0]) {
            case "join" -> me.join(p[1]).thenRun(() -> reply(me, "joined:" + p[1]));
            case "leave" -> me.leave(p[1]).thenRun(() -> reply(me, "left:" + p[1]));
            case "room" -> send(me, Target.room(p[1]), p[2]);
            case "user" -> send(me, Target.user(p[1]), p[2]);
            case "session" -> send(me, Target.session(SessionId.parse(p[1])), p[2]);
            case "endpoint" -> send(me, Target.endpoint(p[1]), p[2]);
            case "all" -> send(me, Target.all(), p[1]);
            case "kick" -> me.cluster().disconnect(SessionId.parse(p[1]), CloseCode.of(4001, "kicked"))
                    .thenAccept(done -> reply(me, "kicked:" + done));
            case "limited" -> reply(me, "acquired:" + me.tryAcquire());
            default -> reply(me, "error:unknown op " + p[0]);
        }
    }

    @OnClose
    public void onClose(Session session) {
        CLOSED.incrementAndGet();
    }

    private static void send(ClusterSession me, Target target, String body) {
        me.send(target, Message.text("msg:" + me.user().orElse("-") + ":" + body))
                .thenAccept(d -> reply(me, "sent:" + d.sessions() + ":" + d.nodes()));
    }

    private static void reply(ClusterSession me, String text) {
        me.send(Target.session(me.id()), Message.text(text));
    }
}
