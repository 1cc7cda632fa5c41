package io.wscluster.tyrus.support;

import io.wscluster.ClusterSession;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * An endpoint without {@code @Clustered} that asks for its session's cluster handle: any message is
 * answered with {@code of:<session id>|<exception class>|<exception message>} (or {@code of:<id>|none}
 * when {@code ClusterSession.of} returns) followed by {@code |find=<present>}.
 */
@ServerEndpoint("/unclustered")
public class UnclusteredEndpoint {

    @OnMessage
    public String onMessage(Session session, String text) {
        String of;
        try {
            ClusterSession.of(session);
            of = "none";
        } catch (RuntimeException e) {
            of = e.getClass().getName() + "|" + e.getMessage();
        }
        return "of:" + session.getId() + "|" + of + "|find=" + ClusterSession.find(session).isPresent();
    }
}
