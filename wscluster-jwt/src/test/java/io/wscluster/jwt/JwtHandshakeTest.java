package io.wscluster.jwt;

import io.wscluster.tyrus.support.Client;
import io.wscluster.tyrus.support.CommandEndpoint;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14: identities that cannot be forged. A real server on the in-memory cluster verifies HS256 tokens
 * (audience {@code chat}, {@code ?user=} checked against {@code sub}) against a clock the test holds still;
 * real clients connect. Every bad token is a complete 403 before any upgrade and leaves no session; a good
 * one makes {@code sub} the session's user, which directs reach.
 */
class JwtHandshakeTest {

    private static final String SECRET = "a shared secret of more than 32 bytes";
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final MutableClock CLOCK = new MutableClock(NOW);
    private static final int CLOSE_DEADLINE_MILLIS = 5_000;
    private static Nodes node;

    @BeforeAll
    static void start() {
        JwtVerifier verifier = JwtVerifier.builder().hmacSecret(SECRET).audience("chat").userParameter("user")
                .clock(CLOCK).build();
        node = Nodes.start(1, b -> b.endpoint(CommandEndpoint.class).identityVerifier(verifier));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @BeforeEach
    void resetClock() {
        CLOCK.set(NOW);
    }

    private static String token(String sub) {
        return Tokens.hs256(SECRET, Tokens.claims(sub, NOW.plusSeconds(600), "chat").build());
    }

    static Stream<Arguments> refused() {
        Instant exp = NOW.plusSeconds(600);
        return Stream.of(
                Arguments.of("missing token", "/chat?user=mallory", Map.of()),
                Arguments.of("malformed token", "/chat?access_token=not.a.jwt", Map.of()),
                Arguments.of("garbage token", "/chat?access_token=xyz", Map.of()),
                Arguments.of("forged signature", "/chat?access_token="
                        + Tokens.hs256("another secret, also long enough!!", Tokens.claims("mallory", exp, "chat").build()), Map.of()),
                Arguments.of("alg none", "/chat?access_token=" + Tokens.unsigned(Tokens.claims("mallory", exp, "chat").build()), Map.of()),
                Arguments.of("expired", "/chat?access_token="
                        + Tokens.hs256(SECRET, Tokens.claims("mallory", NOW.minusSeconds(31), "chat").build()), Map.of()),
                Arguments.of("expired exactly at the skew's edge", "/chat?access_token="
                        + Tokens.hs256(SECRET, Tokens.claims("mallory", NOW.minusSeconds(30), "chat").build()), Map.of()),
                Arguments.of("not yet valid", "/chat?access_token=" + Tokens.hs256(SECRET, Tokens.claims("mallory", exp, "chat")
                        .notBeforeTime(Date.from(NOW.plusSeconds(31))).build()), Map.of()),
                Arguments.of("wrong audience", "/chat?access_token="
                        + Tokens.hs256(SECRET, Tokens.claims("mallory", exp, "billing").build()), Map.of()),
                Arguments.of("no audience", "/chat?access_token="
                        + Tokens.hs256(SECRET, Tokens.claims("mallory", exp, null).build()), Map.of()),
                Arguments.of("no exp", "/chat?access_token=" + Tokens.hs256(SECRET,
                        new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("mallory").audience("chat").build()), Map.of()),
                Arguments.of("sub not a valid user name", "/chat?access_token="
                        + Tokens.hs256(SECRET, Tokens.claims("mal lory!", exp, "chat").build()), Map.of()),
                Arguments.of("user parameter differs from sub", "/chat?user=alice&access_token=" + token("mallory"), Map.of()),
                Arguments.of("user parameter repeated", "/chat?user=mallory&user=mallory&access_token=" + token("mallory"), Map.of()),
                Arguments.of("token parameter repeated", "/chat?access_token=" + token("mallory") + "&access_token="
                        + token("mallory"), Map.of()),
                Arguments.of("header and parameter disagree", "/chat?access_token=" + token("mallory"),
                        Map.of("Authorization", "Bearer " + token("alice"))),
                Arguments.of("forged bearer header", "/chat", Map.of("Authorization", "Bearer "
                        + Tokens.hs256("another secret, also long enough!!", Tokens.claims("mallory", exp, "chat").build()))),
                Arguments.of("another scheme", "/chat", Map.of("Authorization", "Basic bWFsbG9yeTpwdw==")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    @DisplayName("a bad or missing token is a complete 403 before the upgrade, and no session opens")
    void badToken_is403_andNoSession(String name, String target, Map<String, String> headers) {
        int opened = CommandEndpoint.OPENED.get();

        RawWebSocket.Refusal r = RawWebSocket.refusal(node.get(0).port(), target, headers, CLOSE_DEADLINE_MILLIS);

        assertThat(r.statusLine()).as(name).isEqualTo("HTTP/1.1 403 Forbidden");
        assertThat(r.headers()).containsEntry("connection", "close").containsKey("content-length")
                .doesNotContainKeys("upgrade", "sec-websocket-accept");
        assertThat(r.closedByServer()).isTrue();
        assertThat(CommandEndpoint.OPENED.get()).isEqualTo(opened);
        assertThat(node.get(0).cluster().registry().sessionsOfUser("mallory")).isEmpty();
        assertThat(node.get(0).cluster().registry().sessionsOfUser("alice")).isEmpty();
    }

    @Test
    @DisplayName("a valid token makes sub the session's user: directs to it arrive, whatever location carried it")
    void validToken_subIsTheUser() {
        try (Client alice = Client.connect(node.get(0).ws("/chat?access_token=" + token("alice")));
             Client bob = Client.connect(node.get(0).ws("/chat"), Map.of("Authorization", "Bearer " + token("bob")));
             Client bob2 = Client.connect(node.get(0).ws("/chat?user=bob&access_token=" + token("bob")))) {
            await().atMost(5, TimeUnit.SECONDS).until(() -> alice.received().stream().anyMatch(m -> m.startsWith("hello:")));
            assertThat(alice.received()).anyMatch(m -> m.startsWith("hello:") && m.endsWith(":alice"));
            assertThat(node.get(0).cluster().registry().sessionsOfUser("bob")).hasSize(2);

            assertThat(bob.request("user:alice:hi", "sent:")).isEqualTo("sent:1:1");
            await().atMost(5, TimeUnit.SECONDS).until(() -> alice.received().contains("msg:bob:hi"));
            assertThat(alice.request("user:bob:yo", "sent:")).isEqualTo("sent:2:1");
            await().atMost(5, TimeUnit.SECONDS).until(() -> bob2.received().contains("msg:alice:yo"));
        }
    }

    @Test
    @DisplayName("with a verifier, ?user= alone names nobody: a second client cannot claim alice")
    void userParameterWithoutToken_cannotClaimAUser() {
        try (Client alice = Client.connect(node.get(0).ws("/chat?user=alice&access_token=" + token("alice")))) {
            await().atMost(5, TimeUnit.SECONDS).until(() -> alice.received().stream().anyMatch(m -> m.startsWith("hello:")));
            assertThat(node.get(0).cluster().registry().sessionsOfUser("alice")).hasSize(1);

            assertThat(RawWebSocket.refusal(node.get(0).port(), "/chat?user=alice", Map.of(), CLOSE_DEADLINE_MILLIS).status())
                    .isEqualTo(403);
            assertThat(RawWebSocket.refusal(node.get(0).port(), "/chat?user=alice&access_token=" + token("eve"), Map.of(),
                    CLOSE_DEADLINE_MILLIS).status()).isEqualTo(403);

            assertThat(node.get(0).cluster().registry().sessionsOfUser("alice")).hasSize(1);
            assertThat(node.get(0).cluster().registry().sessionsOfUser("eve")).isEmpty();
        }
    }

    @Test
    @DisplayName("clock skew: 29 s past exp and 30 s before nbf still pass; the clock moving on makes them fail")
    void clockSkew_edges() {
        String lateToken = Tokens.hs256(SECRET, Tokens.claims("alice", NOW.minusSeconds(29), "chat").build());
        String earlyToken = Tokens.hs256(SECRET, Tokens.claims("carol", NOW.plusSeconds(600), "chat")
                .notBeforeTime(Date.from(NOW.plusSeconds(30))).build());
        try (RawWebSocket late = RawWebSocket.connect(node.get(0).port(), "/chat?access_token=" + lateToken);
             RawWebSocket early = RawWebSocket.connect(node.get(0).port(), "/chat?access_token=" + earlyToken)) {
            assertThat(late.status()).isEqualTo(101);
            assertThat(early.status()).isEqualTo(101);
        }

        CLOCK.advance(Duration.ofSeconds(1)); // exp + skew == now: expired
        assertThat(RawWebSocket.refusal(node.get(0).port(), "/chat?access_token=" + lateToken, Map.of(),
                CLOSE_DEADLINE_MILLIS).status()).isEqualTo(403);

        CLOCK.set(NOW.minusSeconds(1)); // now + skew is before nbf: not yet valid
        assertThat(RawWebSocket.refusal(node.get(0).port(), "/chat?access_token=" + earlyToken, Map.of(),
                CLOSE_DEADLINE_MILLIS).status()).isEqualTo(403);
    }
}
