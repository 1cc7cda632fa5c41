package io.wscluster.tyrus.support;

import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;

/** A plain, unclustered echo endpoint. */
@ServerEndpoint("/plain")
public class PlainEndpoint {

    @OnMessage
    public String onMessage(String text) {
        return text;
    }
}
