package io.wscluster.tyrus.support;

import io.wscluster.ClusterSession;
import io.wscluster.annotation.Clustered;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.util.concurrent.atomic.AtomicInteger;

/** A clustered echo endpoint that counts its {@code @OnOpen} calls (handshake tests only). */
@Clustered
@ServerEndpoint("/guarded")
public class GuardedEndpoint {

    /** How many times {@code @OnOpen} ran, in this JVM. */
    public static final AtomicInteger OPENED = new AtomicInteger();

    @OnOpen
    public void onOpen(Session session) {
        OPENED.incrementAndGet();
        ClusterSession.of(session);
    }

    @OnMessage
    public String onMessage(String text) {
        return "echo:" + text;
    }
}
