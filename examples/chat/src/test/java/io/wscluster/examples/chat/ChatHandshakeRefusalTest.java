package io.wscluster.examples.chat;

import io.wscluster.examples.chat.support.ChatCluster;
import io.wscluster.tyrus.testkit.JdkHandshake;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * chat-protocol.md, "Connecting": a refused handshake is a complete HTTP/1.1 response (standard
 * reason phrase, a length, {@code Connection: close}, no upgrade headers) and the node closes the
 * socket, so a client (here the JDK's own) fails at once instead of waiting for a body. An upgrade
 * to {@code /health} or to a page of the browser client is refused 404 like any other path.
 */
class ChatHandshakeRefusalTest {

    private static final int CLOSE_DEADLINE_MILLIS = 5_000;
    private static ChatCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ChatCluster.start(1);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "/chat,                       400, Bad Request",
            "/chat?user=al!ce,            400, Bad Request",
            "/chat?user=alice&user=bob,   400, Bad Request",
            "/chat?user=alice&user=alice, 400, Bad Request",
            "/chat/?user=alice,           404, Not Found",
            "/Chat?user=alice,            404, Not Found",
            "/health,                     404, Not Found",
            "/index.html,                 404, Not Found",
            "/index.html,                 404, Not Found", // again: a file cache would hold the page now
    })
    @DisplayName("a refused handshake is complete and closed, and the JDK client fails promptly with its status")
    void handshake_refused_isCompleteResponseAndClosedSocket(String target, int status, String reason) {
        int port = cluster.node(0).port();

        RawWebSocket.Refusal r = RawWebSocket.refusal(port, target, Map.of(), CLOSE_DEADLINE_MILLIS);

        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 " + status + " " + reason);
        assertThat(r.headers()).containsEntry("connection", "close").containsKey("content-length")
                .doesNotContainKeys("upgrade", "sec-websocket-accept", "transfer-encoding");
        assertThat(r.body()).hasSize(Integer.parseInt(r.headers().get("content-length")));
        assertThat(r.closedByServer()).as("the node closed the socket").isTrue();
        URI uri = URI.create("ws://127.0.0.1:" + port + target);
        assertThat(JdkHandshake.refusedStatus(uri, Map.of(), Duration.ofSeconds(5))).isEqualTo(status);
    }
}
