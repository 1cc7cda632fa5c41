package io.wscluster.tyrus.support;

import io.wscluster.ClusterSession;
import io.wscluster.Message;
import io.wscluster.Target;
import io.wscluster.annotation.Clustered;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Joins the room of its {@code ?join=} parameter in {@code @OnOpen}, once {@link #gate} opens, and
 * then tells its client {@code joined:ROOM}: the weaker, application-side way to join.
 */
@Clustered
@ServerEndpoint("/late")
public class OnOpenJoinEndpoint {

    /** Opened by a test to let {@code @OnOpen} go on (it waits at most 10 s). */
    public static volatile CountDownLatch gate = new CountDownLatch(0);

    @OnOpen
    public void onOpen(Session session) throws InterruptedException {
        gate.await(10, TimeUnit.SECONDS);
        ClusterSession me = ClusterSession.of(session);
        String room = session.getRequestParameterMap().get("join").get(0);
        me.join(room).thenRun(() -> me.send(Target.session(me.id()), Message.text("joined:" + room)));
    }
}
