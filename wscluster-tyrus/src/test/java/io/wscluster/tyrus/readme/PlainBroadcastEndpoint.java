package io.wscluster.tyrus.readme;

import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import org.glassfish.tyrus.core.TyrusSession;
import org.glassfish.tyrus.core.cluster.RemoteSession;

import java.io.IOException;

/** The README's plain Tyrus endpoint (no wscluster import) that sees the whole cluster. */
@ServerEndpoint("/board")
public class PlainBroadcastEndpoint {

    @OnMessage
    public void onMessage(Session session, String text) throws IOException {
        TyrusSession tyrus = (TyrusSession) session;
        if (text.equals("who")) {
            // local sessions and RemoteSessions of every other node
            session.getBasicRemote().sendText(tyrus.getAllSessions().size() + " online");
        } else if (text.startsWith("poke ")) {
            for (RemoteSession remote : tyrus.getRemoteSessions()) {
                if (remote.getId().equals(text.substring(5))) {
                    remote.getBasicRemote().sendText("poked");   // written by the node that holds the socket
                }
            }
        } else {
            tyrus.broadcast(text);                                // every session of /board on every node, once
        }
    }
}
