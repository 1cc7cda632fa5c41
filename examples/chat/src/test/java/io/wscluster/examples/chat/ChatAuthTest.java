package io.wscluster.examples.chat;

import io.wscluster.examples.chat.support.ChatCluster;
import io.wscluster.examples.chat.support.Http;
import io.wscluster.examples.chat.support.Jwts;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14, chat-protocol "Authentication (protocol 2)": two nodes started with {@code --auth-secret},
 * {@code --auth-audience} and {@code --allowed-origins}. The user is the token's {@code sub}; every bad token,
 * a {@code user} that differs from {@code sub} and a foreign origin get a complete 403 and no session.
 */
class ChatAuthTest {

    private static final String SECRET = "chat-test-secret-0123456789abcdef";
    private static final int CLOSE_DEADLINE_MILLIS = 5_000;
    private static ChatCluster cluster;

    @BeforeAll
    static void start() {
        String[] auth = {"--auth-secret", SECRET, "--auth-audience", "chat", "--allowed-origins",
                "https://chat.example,http://127.0.0.1:8080"};
        cluster = ChatCluster.start(2, auth, auth);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static URI uri(int node, String query) {
        return URI.create("ws://127.0.0.1:" + cluster.node(node).port() + "/chat?" + query);
    }

    private static String token(String sub) {
        return Jwts.valid(SECRET, sub, "chat");
    }

    static void assertRefused403(String target, Map<String, String> headers) {
        RawWebSocket.Refusal r = RawWebSocket.refusal(cluster.node(0).port(), target, headers, CLOSE_DEADLINE_MILLIS);
        assertThat(r.statusLine()).as(target).isEqualTo("HTTP/1.1 403 Forbidden");
        assertThat(r.headers()).containsEntry("connection", "close").containsKey("content-length")
                .doesNotContainKeys("upgrade", "sec-websocket-accept");
        assertThat(r.closedByServer()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "missing token,         /chat?user=mallory",
            "malformed token,       /chat?access_token=abc.def.ghi",
            "forged signature,      /chat?access_token=FORGED",
            "expired,               /chat?access_token=EXPIRED",
            "wrong audience,        /chat?access_token=WRONG_AUD",
            "user differs from sub, /chat?user=alice&access_token=MALLORY",
    })
    @DisplayName("a bad token or a user that is not sub: 403 before the upgrade, no session anywhere")
    void badToken_is403(String name, String target) {
        String resolved = target
                .replace("FORGED", Jwts.valid("another-secret-0123456789abcdefgh", "mallory", "chat"))
                .replace("EXPIRED", Jwts.hs256(SECRET, "mallory", Instant.now().minusSeconds(60), "chat"))
                .replace("WRONG_AUD", Jwts.valid(SECRET, "mallory", "billing"))
                .replace("MALLORY", token("mallory"));

        assertRefused403(resolved, Map.of());

        assertThat(cluster.node(0).cluster().registry().sessionsOfUser("mallory")).isEmpty();
        assertThat(cluster.node(0).cluster().registry().sessionsOfUser("alice")).isEmpty();
    }

    @Test
    @DisplayName("the user is sub: who shows it on another node and directs to it arrive; ?user= alone claims nobody")
    void validToken_userIsSub() {
        try (ChatClient alice = ChatClient.connect(uri(0, "access_token=" + token("alice")), "alice");
             ChatClient bob = ChatClient.connect(uri(1, "user=bob&access_token=" + token("bob")), "bob")) {
            alice.join("lobby");
            bob.join("lobby");
            assertThat(bob.who("lobby")).containsExactly("alice", "bob");

            bob.send("op", "direct", "to", "alice", "body", "psst");
            assertThat(alice.await(f -> f.path("op").asText().equals("direct")).path("from").asText()).isEqualTo("bob");

            // a second client claiming alice, with no token or with its own token, is refused
            assertRefused403("/chat?user=alice", Map.of());
            assertRefused403("/chat?user=alice&access_token=" + token("eve"), Map.of());
            assertThat(Http.health(cluster.node(0).port()).json().path("clusterSessions").asInt()).isEqualTo(2);
        }
    }

    @Test
    void bearerHeader_isAccepted() {
        try (RawWebSocket ws = RawWebSocket.connect(cluster.node(0).port(), "/chat",
                Map.of("Authorization", "Bearer " + token("carol")), 0)) {
            assertThat(ws.status()).isEqualTo(101);
        }
    }

    @ParameterizedTest(name = "Origin {0} -> {1}")
    @CsvSource({
            "https://chat.example,   101",
            "http://127.0.0.1:8080,  101",
            "https://evil.example,   403",
            "null,                   403",
    })
    void origins(String origin, int status) {
        Map<String, String> headers = Map.of("Origin", origin);
        String target = "/chat?access_token=" + token("dave");
        if (status == 403) {
            assertRefused403(target, headers);
        } else {
            try (RawWebSocket ws = RawWebSocket.connect(cluster.node(0).port(), target, headers, 0)) {
                assertThat(ws.status()).isEqualTo(101);
            }
        }
    }

    @Test
    void page_saysTokensAreRequired() {
        assertThat(Http.get("http://127.0.0.1:" + cluster.node(0).port() + "/auth.js").body()).contains("'token'");
    }
}
