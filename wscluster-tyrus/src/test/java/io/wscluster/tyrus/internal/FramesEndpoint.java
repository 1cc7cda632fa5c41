package io.wscluster.tyrus.internal;

import io.wscluster.ClusterSession;
import io.wscluster.Message;
import io.wscluster.Target;
import io.wscluster.annotation.Clustered;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;

import java.nio.charset.StandardCharsets;

/**
 * A clustered programmatic endpoint for the shared-frame tests: {@code join:R}; {@code text:R:body} and
 * {@code bin:R:body} send exactly {@code body} (as text, or its UTF-8 bytes as binary) to room R;
 * {@code takes} answers {@code takes:true} if this session is written shared frames.
 */
@Clustered
public final class FramesEndpoint extends Endpoint {

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        ClusterSession me = ClusterSession.of(session);
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
            String[] p = text.split(":", 3);
            switch (p[0]) {
                case "join" -> me.join(p[1]).thenRun(() -> reply(me, "joined:" + p[1]));
                case "text" -> me.send(Target.room(p[1]), Message.text(p[2]));
                case "bin" -> me.send(Target.room(p[1]), Message.binary(p[2].getBytes(StandardCharsets.UTF_8)));
                case "takes" -> reply(me, "takes:" + SessionSocket.of(session).takesFrames());
                default -> reply(me, "error:unknown op " + p[0]);
            }
        });
    }

    private static void reply(ClusterSession me, String text) {
        me.send(Target.session(me.id()), Message.text(text));
    }
}
