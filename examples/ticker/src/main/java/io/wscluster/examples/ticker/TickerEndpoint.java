package io.wscluster.examples.ticker;

import io.wscluster.ClusterSession;
import io.wscluster.Message;
import io.wscluster.Names;
import io.wscluster.Target;
import io.wscluster.annotation.Clustered;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * {@code ws://HOST:PORT/ticker}: a client sends a symbol (e.g. {@code AAPL}) to subscribe to it, and
 * receives every update of it as JSON, exactly once, starting with the last one published. Other text
 * is ignored.
 */
@Clustered
@ServerEndpoint("/ticker")
public class TickerEndpoint {
    @OnMessage
    public void subscribe(Session session, String symbol) {
        ClusterSession me = ClusterSession.of(session);
        if (!Names.isValidRoom(symbol)) {
            return;
        }
        String producer = Prices.producers(me.cluster()).get(symbol);
        if (producer != null && me.cluster().nodes().stream().anyMatch(n -> n.id().value().equals(producer))) {
            // The producer joins this session to the topic between two updates and sends it the latest.
            Prices.subscriptionRequests(me.cluster()).publish(symbol + " " + me.id().value());
            return;
        }
        // Nobody publishes the symbol now: join the topic (a room) for when someone does, and send what is left.
        me.join(symbol).toCompletableFuture().join();
        String last = Prices.lastValues(me.cluster()).get(symbol);
        if (last != null) {
            me.send(Target.session(me.id()), Message.text(last));
        }
    }
}
