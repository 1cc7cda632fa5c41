package io.wscluster.tyrus.readme;

import io.wscluster.ClusterSession;
import io.wscluster.Message;
import io.wscluster.Target;
import io.wscluster.annotation.Clustered;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;

/** The README's endpoint example; compiled with the tests so the README stays true. */
@Clustered(roomPathParam = "room")          // registered in the cluster, joins {room} before @OnOpen
@ServerEndpoint("/rooms/{room}")
public class ChatEndpoint {

    @OnOpen
    public void onOpen(Session session, @PathParam("room") String room) {
        ClusterSession me = ClusterSession.of(session);   // cluster id, user, cluster handle
        me.send(Target.room(room).excluding(me.id()), Message.text(me.user().orElse("someone") + " joined"));
    }

    @OnMessage
    public void onMessage(Session session, String text, @PathParam("room") String room) {
        ClusterSession me = ClusterSession.of(session);
        if (!me.tryAcquire()) {
            return;                                      // over the rate limit: the callback answered
        }
        me.send(Target.room(room), Message.text(text))   // every member, on every node
          .thenAccept(d -> { if (!d.reachedAnyone()) { /* nobody there */ } });
    }
}
