package io.wscluster.tyrus.support;

import io.wscluster.annotation.Clustered;
import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;

/** Every session is a member of room "lobby" from its 101 on, declared on the annotation. */
@Clustered(rooms = {"lobby"})
@ServerEndpoint("/lobby")
public class LobbyEndpoint {

    @OnMessage
    public String onMessage(String text) {
        return text;
    }
}
