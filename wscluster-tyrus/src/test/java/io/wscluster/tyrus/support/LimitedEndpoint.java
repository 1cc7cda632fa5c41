package io.wscluster.tyrus.support;

import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import org.glassfish.tyrus.core.MaxSessions;

/** A plain Tyrus endpoint that Tyrus lets hold one session at a time; it answers "id" with its id. */
@MaxSessions(1)
@ServerEndpoint("/limited")
public class LimitedEndpoint {

    @OnMessage
    public String onMessage(Session session, String text) {
        return "id:" + session.getId();
    }
}
