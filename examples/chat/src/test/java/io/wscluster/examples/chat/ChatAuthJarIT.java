package io.wscluster.examples.chat;

import io.wscluster.examples.chat.support.Http;
import io.wscluster.examples.chat.support.Jwts;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.testkit.ChatNodeProcess;
import io.wscluster.testkit.FreePorts;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14 on the packaged jar as a process: {@code --auth-secret-file} and {@code --allowed-origins}, driven
 * the way outside tests drive it (a token in {@code access_token}, a raw handshake with a foreign origin).
 */
class ChatAuthJarIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Path LOGS = Path.of("target", "it-logs");
    private static final String SECRET = "jar-test-secret-0123456789abcdefgh";

    @Test
    @DisplayName("a node with a secret file: the user is the token's sub, bad tokens, ?user= alone and foreign origins get 403")
    void secretFileAndOrigins(@TempDir Path dir) throws IOException {
        Path secretFile = Files.writeString(dir.resolve("chat.secret"), SECRET + "\n");
        int clusterPort = FreePorts.of(1)[0];
        try (ChatNodeProcess node = ChatNodeProcess.start("auth-node", LOGS, List.of("-Xmx256m"), List.of(
                "--host", "127.0.0.1", "--port", "0", "--cluster-port", Integer.toString(clusterPort),
                "--cluster-name", "chat-auth-" + UUID.randomUUID().toString().substring(0, 8),
                "--auth-secret-file", secretFile.toString(), "--allowed-origins", "https://chat.example"))) {
            node.awaitReady(START);
            int port = node.port();
            String alice = Jwts.valid(SECRET, "alice", null);

            assertThat(RawWebSocket.refusal(port, "/chat?user=alice", Map.of(), 5_000).status()).isEqualTo(403);
            assertThat(RawWebSocket.refusal(port, "/chat?access_token=" + Jwts.valid("wrong-secret-0123456789abcdefghij", "alice", null),
                    Map.of(), 5_000).status()).isEqualTo(403);
            assertThat(RawWebSocket.refusal(port, "/chat?user=bob&access_token=" + alice, Map.of(), 5_000).status()).isEqualTo(403);
            assertThat(RawWebSocket.refusal(port, "/chat?access_token=" + alice, Map.of("Origin", "https://evil.example"), 5_000)
                    .statusLine()).isEqualTo("HTTP/1.1 403 Forbidden");
            assertThat(RawWebSocket.refusal(port, "/chat?access_token=" + alice, Map.of("Origin", "null"), 5_000).status())
                    .isEqualTo(403);
            try (RawWebSocket fromPage = RawWebSocket.connect(port, "/chat?access_token=" + alice,
                    Map.of("Origin", "https://chat.example"), 0)) {
                assertThat(fromPage.status()).isEqualTo(101);
            }

            try (ChatClient a = ChatClient.connect(URI.create("ws://127.0.0.1:" + port + "/chat?access_token=" + alice), "alice");
                 ChatClient b = ChatClient.connect(URI.create("ws://127.0.0.1:" + port + "/chat?user=bob&access_token="
                         + Jwts.valid(SECRET, "bob", null)), "bob")) {
                a.join("lobby");
                b.join("lobby");
                assertThat(a.who("lobby")).containsExactly("alice", "bob");
                b.send("op", "direct", "to", "alice", "body", "hi");
                assertThat(a.await(f -> f.path("op").asText().equals("direct")).path("from").asText()).isEqualTo("bob");
            }
            assertThat(Http.get("http://127.0.0.1:" + port + "/auth.js").body()).contains("'token'");
            assertThat(node.logText()).contains("Authentication: every handshake needs a JWT").doesNotContain("DEMO MODE")
                    .doesNotContain(SECRET);
            node.terminate();
            assertThat(node.awaitExit(Duration.ofSeconds(15))).isZero();
        }
    }

    @Test
    @DisplayName("--help documents the auth and origin flags; without a secret the node says it runs in demo mode")
    void helpAndDemoMode() {
        try (ChatNodeProcess help = ChatNodeProcess.start("auth-help", LOGS, List.of(), List.of("--help"))) {
            assertThat(help.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(help.logText()).contains("--auth-secret=KEY", "--auth-secret-file=PATH", "--auth-audience=AUDIENCE",
                    "--allowed-origins=ORIGIN");
        }
        int clusterPort = FreePorts.of(1)[0];
        try (ChatNodeProcess demo = ChatNodeProcess.start("demo-node", LOGS, List.of("-Xmx256m"), List.of(
                "--host", "127.0.0.1", "--port", "0", "--cluster-port", Integer.toString(clusterPort),
                "--cluster-name", "chat-demo-" + UUID.randomUUID().toString().substring(0, 8)))) {
            demo.awaitReady(START);
            assertThat(demo.logText()).contains("DEMO MODE");
            assertThat(demo.logText().indexOf("DEMO MODE")).isLessThan(demo.logText().indexOf("READY"));
            assertThat(Http.get("http://127.0.0.1:" + demo.port() + "/auth.js").body()).contains("'demo'");
            demo.terminate();
            assertThat(demo.awaitExit(Duration.ofSeconds(15))).isZero();
        }
    }
}
