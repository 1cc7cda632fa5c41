package io.wscluster.tyrus.support;

import io.wscluster.ClusterSession;
import io.wscluster.annotation.Clustered;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;

/** Joins the room named in its path before {@code @OnOpen}; relays each text to that room. */
@Clustered(roomPathParam = "room")
@ServerEndpoint("/rooms/{room}")
public class RoomEndpoint {

    @OnMessage
    public void onMessage(Session session, String text, @PathParam("room") String room) {
        ClusterSession.of(session).send(io.wscluster.Target.room(room), io.wscluster.Message.text(room + ">" + text));
    }
}
