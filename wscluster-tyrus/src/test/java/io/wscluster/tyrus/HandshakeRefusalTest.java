package io.wscluster.tyrus;

import io.wscluster.tyrus.support.GuardedEndpoint;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.support.PlainEndpoint;
import io.wscluster.tyrus.support.SlowCloseEndpoint;
import io.wscluster.tyrus.testkit.JdkHandshake;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every way the library refuses a WebSocket handshake ends in a complete HTTP/1.1 response and a
 * closed socket: standard reason phrase, a length, {@code Connection: close}, no upgrade headers.
 * Guards against a refusal that left the JDK's WebSocket client waiting for a body forever, and
 * against upgrade requests to {@code /health} or a static file being answered like plain requests.
 */
class HandshakeRefusalTest {

    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final int CLOSE_DEADLINE_MILLIS = 5_000;
    private static final Map<String, String> GOOD = Map.of("X-Token", "good", "Origin", "https://good.example");
    private static Nodes node;
    private static Nodes capped;
    private static Path web;

    @BeforeAll
    static void start() throws IOException {
        web = Files.createTempDirectory("wscluster-refusal");
        Files.writeString(web.resolve("page.html"), "<h1>page</h1>");
        node = Nodes.start(1, b -> b.endpoint(GuardedEndpoint.class).endpoint(PlainEndpoint.class)
                .authenticator(r -> {
                    List<String> token = r.getHeaders().getOrDefault("X-Token", List.of());
                    if (token.contains("teapot")) {
                        throw HandshakeRejection.of(429, "slow down");
                    }
                    if (token.contains("boom")) {
                        throw new IllegalStateException("authenticator broke");
                    }
                    return token.contains("good");
                })
                .allowedOrigins("https://good.example")
                .userResolver(UserResolver.requiredQueryParam("user"))
                .staticResources(web));
        capped = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class).maxConnections(1)
                .retryAfter(Duration.ofSeconds(9)));
    }

    @AfterAll
    static void stop() throws IOException {
        if (node != null) {
            node.close();
        }
        if (capped != null) {
            capped.close();
        }
        Files.deleteIfExists(web.resolve("page.html"));
        Files.deleteIfExists(web);
    }

    /** Asserts a raw refusal is complete and closed, and returns it for further checks. */
    static RawWebSocket.Refusal assertComplete(int port, String target, Map<String, String> headers,
                                               int status, String reason) {
        RawWebSocket.Refusal r = RawWebSocket.refusal(port, target, headers, CLOSE_DEADLINE_MILLIS);
        assertThat(r.statusLine()).as("status line of %s", target).isEqualTo("HTTP/1.1 " + status + " " + reason);
        assertThat(r.headers()).as("headers of %s", target)
                .containsEntry("connection", "close")
                .containsKey("content-length")
                .doesNotContainKeys("upgrade", "sec-websocket-accept", "transfer-encoding");
        assertThat(r.body()).hasSize(Integer.parseInt(r.headers().get("content-length")));
        assertThat(r.closedByServer()).as("server closed the socket after refusing %s", target).isTrue();
        return r;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "/guarded?user=eve,      bad,                  403, Forbidden",
            "/guarded?user=eve,      teapot,               429, Too Many Requests",
            "/guarded?user=eve,      boom,                 403, Forbidden",
            "/guarded,               good,                 400, Bad Request",
            "/guarded?user=a&user=b, good,                 400, Bad Request",
            "/guarded?user=not!ok,   good,                 400, Bad Request",
            "/nowhere,               good,                 404, Not Found",
            "/health,                good,                 404, Not Found",
    })
    @DisplayName("a refused handshake is a complete response on a raw socket and fails the JDK client promptly")
    void refusal_isCompleteAndClosed(String target, String token, int status, String reason) {
        Map<String, String> headers = Map.of("X-Token", token, "Origin", "https://good.example");

        assertComplete(node.get(0).port(), target, headers, status, reason);

        assertThat(JdkHandshake.refusedStatus(node.get(0).ws(target), headers, DEADLINE)).isEqualTo(status);
    }

    @Test
    void refusal_fromOriginNotAllowed_is403Complete() {
        Map<String, String> headers = Map.of("X-Token", "good", "Origin", "https://evil.example");

        assertComplete(node.get(0).port(), "/guarded?user=bob", headers, 403, "Forbidden");

        assertThat(JdkHandshake.refusedStatus(node.get(0).ws("/guarded?user=bob"), headers, DEADLINE)).isEqualTo(403);
    }

    @Test
    void upgradeToStaticFile_evenWhenCached_is404Complete() throws Exception {
        for (int i = 0; i < 2; i++) { // the second time, a file cache would already hold the file
            assertComplete(node.get(0).port(), "/page.html", GOOD, 404, "Not Found");
            assertThat(JdkHandshake.refusedStatus(node.get(0).ws("/page.html"), GOOD, DEADLINE)).isEqualTo(404);
        }
        java.net.http.HttpResponse<String> plain = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.get(0).port() + "/page.html"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).isEqualTo("<h1>page</h1>");
    }

    @Test
    void refusal_overTheConnectionCap_is503WithRetryAfterComplete() {
        Nodes.Node n = capped.get(0);
        try (RawWebSocket held = RawWebSocket.connect(n.port(), "/plain")) {
            assertThat(held.status()).isEqualTo(101);

            RawWebSocket.Refusal r = assertComplete(n.port(), "/plain", Map.of(), 503, "Service Unavailable");

            assertThat(r.headers()).containsEntry("retry-after", "9");
            assertThat(JdkHandshake.refusedStatus(n.ws("/plain"), Map.of(), DEADLINE)).isEqualTo(503);
        }
    }

    @Test
    void refusal_whileDraining_is503WithRetryAfterComplete() {
        SlowCloseEndpoint.release = new CountDownLatch(1);
        try (Nodes draining = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class).endpoint(SlowCloseEndpoint.class)
                .drainTimeout(Duration.ofSeconds(8)).retryAfter(Duration.ofSeconds(4)))) {
            Nodes.Node n = draining.get(0);
            // a session whose @OnClose waits keeps the drain waiting for it
            RawWebSocket stubborn = RawWebSocket.connect(n.port(), "/slow-close");
            CompletableFuture<Boolean> drain;
            try {
                assertThat(stubborn.status()).isEqualTo(101);
                // the 101 can reach the client before the server counts the session; a drain that sees
                // no session stops at once and the test would never see DRAINING
                await().atMost(5, TimeUnit.SECONDS).until(() -> n.server().stats().localSessions() == 1);
                drain = CompletableFuture.supplyAsync(() -> n.server().drain());
                await().atMost(5, TimeUnit.SECONDS).until(() -> n.server().status() == ServerStatus.DRAINING);

                RawWebSocket.Refusal r = assertComplete(n.port(), "/plain", Map.of(), 503, "Service Unavailable");

                assertThat(r.headers()).containsEntry("retry-after", "4");
                assertThat(JdkHandshake.refusedStatus(n.ws("/plain"), Map.of(), DEADLINE)).isEqualTo(503);
            } finally {
                SlowCloseEndpoint.release.countDown();
                stubborn.close();
            }
            drain.orTimeout(20, TimeUnit.SECONDS).join();
        }
    }

    @Test
    void acceptedHandshake_isStill101() {
        Map<String, String> headers = new HashMap<>(GOOD);
        try (RawWebSocket ok = RawWebSocket.connect(node.get(0).port(), "/guarded?user=zoe", headers, 0)) {
            assertThat(ok.status()).isEqualTo(101);
            assertThat(ok.headers()).containsKey("sec-websocket-accept");
        }
    }
}
