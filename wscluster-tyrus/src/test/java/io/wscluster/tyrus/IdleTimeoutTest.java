package io.wscluster.tyrus;

import io.wscluster.tyrus.support.Client;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.support.PlainEndpoint;
import jakarta.websocket.CloseReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The idle timeout closes a silent session; without one (the default) Tyrus arms no idle timer at all. */
class IdleTimeoutTest {

    @Test
    void idleTimeout_closesASilentSession() throws Exception {
        try (Nodes nodes = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class).idleTimeout(Duration.ofMillis(700)))) {
            // taken before the connect: the server's idle timer starts before connect() returns, and a slow
            // return (a loaded machine) must not shorten the time measured below the timeout
            long start = System.nanoTime();
            Client client = Client.connect(nodes.get(0).ws("/plain"));
            CloseReason reason = client.closed().get(10, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("closed by the server, %s", reason)
                    .isGreaterThanOrEqualTo(500);
        }
    }

    /** Answers any text with the session's max idle timeout as Tyrus holds it. */
    @jakarta.websocket.server.ServerEndpoint("/idle")
    public static final class IdleEndpoint {
        @jakarta.websocket.OnMessage
        public String onMessage(jakarta.websocket.Session session, String text) {
            return "idle=" + session.getMaxIdleTimeout();
        }
    }

    @Test
    void noIdleTimeout_givesTyrusMinusOneSoItArmsNoTimerPerFrame() {
        try (Nodes nodes = Nodes.start(1, b -> b.endpoint(IdleEndpoint.class))) {
            Client client = Client.connect(nodes.get(0).ws("/idle"));
            assertThat(client.request("?", "idle=")).isEqualTo("idle=-1");
            client.close();
        }
    }
}
