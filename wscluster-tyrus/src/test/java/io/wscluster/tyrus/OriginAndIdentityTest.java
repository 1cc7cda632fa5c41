package io.wscluster.tyrus;

import io.wscluster.tyrus.support.CommandEndpoint;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.support.PlainEndpoint;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14: the origin allow-list (exact match, {@code null} an origin like any other, no header allowed)
 * and an {@link IdentityVerifier} (runs on every endpoint; the user it proves is the session's user, and
 * no user resolver can stand beside it).
 */
class OriginAndIdentityTest {

    private static final int CLOSE_DEADLINE_MILLIS = 5_000;
    private static Nodes strict;
    private static Nodes withNull;

    @BeforeAll
    static void start() {
        // a verifier for tests: the X-User header proves the user, "nobody" proves none
        IdentityVerifier byHeader = request -> {
            List<String> v = request.getHeaders().getOrDefault("X-User", List.of());
            if (v.isEmpty()) {
                throw HandshakeRejection.forbidden("no X-User");
            }
            return "nobody".equals(v.get(0)) ? null : v.get(0);
        };
        strict = Nodes.start(1, b -> b.endpoint(CommandEndpoint.class).endpoint(PlainEndpoint.class)
                .allowedOrigins("https://chat.example").identityVerifier(byHeader));
        withNull = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class).allowedOrigins("https://chat.example", "null"));
    }

    @AfterAll
    static void stop() {
        if (strict != null) {
            strict.close();
        }
        if (withNull != null) {
            withNull.close();
        }
    }

    private static int status(Nodes nodes, String target, Map<String, String> headers) {
        try (RawWebSocket ws = RawWebSocket.connect(nodes.get(0).port(), target, headers, 0)) {
            return ws.status();
        }
    }

    @ParameterizedTest(name = "Origin {0} -> {1}")
    @CsvSource({
            "https://chat.example,       101",
            "HTTPS://CHAT.EXAMPLE,       101",
            "https://evil.example,       403",
            "https://chat.example:8443,  403",
            "http://chat.example,        403",
            "https://chat.example.evil,  403",
            "null,                       403",
            "'',                         403",
    })
    void origin_exactMatchOnly(String origin, int expected) {
        Map<String, String> headers = new HashMap<>(Map.of("X-User", "alice"));
        headers.put("Origin", origin);
        assertThat(status(strict, "/plain", headers)).isEqualTo(expected);
        if (expected == 403) {
            RawWebSocket.Refusal r = RawWebSocket.refusal(strict.get(0).port(), "/plain", headers, CLOSE_DEADLINE_MILLIS);
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 403 Forbidden");
            assertThat(r.closedByServer()).isTrue();
        }
    }

    @Test
    void origin_absent_isAllowed() {
        assertThat(status(strict, "/plain", Map.of("X-User", "alice"))).isEqualTo(101);
    }

    @Test
    void origin_nullListed_isAllowed_othersStillRefused() {
        assertThat(status(withNull, "/plain", Map.of("Origin", "null"))).isEqualTo(101);
        assertThat(status(withNull, "/plain", Map.of("Origin", "https://evil.example"))).isEqualTo(403);
    }

    @Test
    @DisplayName("the verifier runs on endpoints that are not clustered too, and refuses with 403 when it proves no user")
    void verifier_runsOnEveryEndpoint() {
        assertThat(status(strict, "/plain", Map.of())).isEqualTo(403);
        assertThat(status(strict, "/plain", Map.of("X-User", "nobody"))).isEqualTo(403);
        assertThat(status(strict, "/plain", Map.of("X-User", "not valid!"))).isEqualTo(403);
        assertThat(status(strict, "/chat?user=mallory", Map.of())).isEqualTo(403);
    }

    @Test
    void verifier_provedUser_isTheSessionsUser() {
        try (RawWebSocket ws = RawWebSocket.connect(strict.get(0).port(), "/chat?user=mallory", Map.of("X-User", "alice"), 0)) {
            assertThat(ws.status()).isEqualTo(101);
            assertThat(ws.readText()).endsWith(":alice");
            await().atMost(5, TimeUnit.SECONDS).until(() -> strict.get(0).cluster().registry().sessionsOfUser("alice").size() == 1);
            assertThat(strict.get(0).cluster().registry().sessionsOfUser("mallory")).isEmpty();
        }
    }

    @Test
    void builder_refusesVerifierBesideResolver() {
        assertThatThrownBy(() -> WsServer.builder().cluster(new io.wscluster.testkit.InMemoryNetwork().newNode())
                .endpoint(PlainEndpoint.class).identityVerifier(r -> "a").userResolver(UserResolver.queryParam("user")).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("identityVerifier and userResolver are both set: the verifier names the user, so remove userResolver(...)");
        assertThatThrownBy(() -> AdmissionSettings.builder().allowedOrigins("chat.example"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("origin must look like scheme://host[:port] but was 'chat.example'");
    }
}
