package io.wscluster.examples.chat;

import io.wscluster.examples.chat.support.ChatCluster;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * chat-protocol.md, "Starting a node" (protocol 2, connection bounds): the chat node's flags reach
 * the server. {@code --max-connections-per-address} refuses a further handshake from one address with
 * 503 and {@code Retry-After}, counting the client a trusted proxy ({@code --trusted-proxies}) names;
 * {@code --handshake-timeout-ms} closes a socket that never completes its handshake;
 * {@code --silence-timeout-ms} closes a connection whose client sends nothing.
 */
class ChatConnectionBoundsTest {

    @Test
    void perAddressBound_behindATrustedProxy_countsTheForwardedClient() {
        try (ChatCluster cluster = ChatCluster.start(1, new String[]{"--max-connections-per-address", "1",
                "--trusted-proxies", "127.0.0.1"})) {
            int port = cluster.node(0).port();
            try (RawWebSocket alice = RawWebSocket.connect(port, "/chat?user=alice", Map.of("X-Forwarded-For", "203.0.113.1"), 0);
                 RawWebSocket bob = RawWebSocket.connect(port, "/chat?user=bob", Map.of("X-Forwarded-For", "203.0.113.2"), 0)) {
                assertThat(alice.status()).isEqualTo(101);
                assertThat(bob.status()).as("another client behind the same proxy").isEqualTo(101);

                RawWebSocket.Response again = RawWebSocket.handshake(port, "/chat?user=alice2", Map.of("X-Forwarded-For", "203.0.113.1"));

                assertThat(again.status()).isEqualTo(503);
                assertThat(again.headers()).containsKey("retry-after");
            }
        }
    }

    @Test
    void handshakeAndSilenceTimeouts_closeWhatNeverCompletesOrNeverSends() throws IOException {
        try (ChatCluster cluster = ChatCluster.start(1, new String[]{"--handshake-timeout-ms", "700",
                "--silence-timeout-ms", "900"});
             Socket silent = new Socket("127.0.0.1", cluster.node(0).port());
             RawWebSocket quiet = RawWebSocket.connect(cluster.node(0).port(), "/chat?user=quiet")) {
            assertThat(quiet.status()).isEqualTo(101);

            assertThat(closedWithin(silent, 5_000)).as("a socket that never sent a handshake is closed").isTrue();
            RawWebSocket.Close close = quiet.awaitClose();
            assertThat(close.code()).isEqualTo(1000);
            assertThat(close.reason()).isEqualTo("idle timeout");
        }
    }

    private static boolean closedWithin(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            InputStream in = s.getInputStream();
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }
}
