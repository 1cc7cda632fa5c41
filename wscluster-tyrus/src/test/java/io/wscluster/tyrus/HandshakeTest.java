package io.wscluster.tyrus;

import io.wscluster.tyrus.support.Client;
import io.wscluster.tyrus.support.GuardedEndpoint;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.support.PlainEndpoint;
import io.wscluster.tyrus.support.UnclusteredEndpoint;
import io.wscluster.tyrus.testkit.RawWebSocket;
import jakarta.websocket.CloseReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Handshake hooks and limits on one real node: authenticator, origin allow-list, user resolver,
 * connection cap, message size, health and static files.
 */
class HandshakeTest {

    // the Tyrus client sends an Origin header of its own: name an allowed one
    private static final Map<String, String> TOKEN = Map.of("X-Token", "good", "Origin", "https://good.example");
    private static Nodes node;
    private static Nodes capped;
    private static Path web;

    @BeforeAll
    static void start() throws IOException {
        web = Files.createTempDirectory("wscluster-web");
        Files.writeString(web.resolve("index.html"), "<h1>chat</h1>");
        node = Nodes.start(1, b -> b.endpoint(GuardedEndpoint.class).endpoint(PlainEndpoint.class)
                .endpoint(UnclusteredEndpoint.class)
                .authenticator(r -> r.getHeaders().getOrDefault("X-Token", List.of()).contains("good"))
                .allowedOrigins("https://good.example")
                .userResolver(UserResolver.requiredQueryParam("user"))
                .maxTextMessageBytes(1024)
                .staticResources(web));
        capped = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class).maxConnections(2)
                .retryAfter(java.time.Duration.ofSeconds(7)));
    }

    @AfterAll
    static void stop() throws IOException {
        if (node != null) {
            node.close();
        }
        if (capped != null) {
            capped.close();
        }
        Files.deleteIfExists(web.resolve("index.html"));
        Files.deleteIfExists(web);
    }

    private static int port() {
        return node.get(0).port();
    }

    @Test
    void handshake_refusedByAuthenticator_is403AndOnOpenNeverRuns() {
        int opened = GuardedEndpoint.OPENED.get();
        long refused = node.get(0).server().stats().refusedHandshakes();

        RawWebSocket.Response response = RawWebSocket.handshake(port(), "/guarded?user=eve", Map.of("X-Token", "bad"));

        assertThat(response.status()).isEqualTo(403);
        assertThat(GuardedEndpoint.OPENED.get()).isEqualTo(opened);
        assertThat(node.get(0).server().stats().refusedHandshakes()).isEqualTo(refused + 1);
        assertThat(node.get(0).cluster().registry().isOnline("eve")).isFalse();
    }

    @Test
    void handshake_acceptedByAuthenticator_upgradesAndRegistersUser() {
        try (Client c = Client.connect(node.get(0).ws("/guarded?user=alice"), TOKEN)) {
            assertThat(c.request("hi", "echo:")).isEqualTo("echo:hi");
            assertThat(node.get(0).cluster().registry().isOnline("alice")).isTrue();
        }
    }

    @Test
    void handshake_fromOriginNotAllowed_is403() {
        RawWebSocket.Response bad = RawWebSocket.handshake(port(), "/guarded?user=bob",
                Map.of("X-Token", "good", "Origin", "https://evil.example"));
        RawWebSocket.Response good = RawWebSocket.handshake(port(), "/guarded?user=bob",
                Map.of("X-Token", "good", "Origin", "https://good.example"));

        assertThat(bad.status()).isEqualTo(403);
        assertThat(good.status()).isEqualTo(101);
    }

    @Test
    void handshake_withMissingOrRepeatedOrInvalidUser_is400() {
        assertThat(RawWebSocket.handshake(port(), "/guarded", TOKEN).status()).isEqualTo(400);
        assertThat(RawWebSocket.handshake(port(), "/guarded?user=a&user=b", TOKEN).status()).isEqualTo(400);
        assertThat(RawWebSocket.handshake(port(), "/guarded?user=not!valid", TOKEN).status()).isEqualTo(400);
    }

    @Test
    void clusterSessionOf_sessionOfAnEndpointWithoutClustered_throwsIllegalStateExceptionNamingTheSession() {
        try (Client c = Client.connect(node.get(0).ws("/unclustered?user=dave"), TOKEN)) {
            String[] reply = c.request("of", "of:").substring("of:".length()).split("\\|");
            assertThat(reply).hasSize(4);
            assertThat(reply[1]).isEqualTo(IllegalStateException.class.getName());
            assertThat(reply[2]).isEqualTo("Session '" + reply[0] + "' is not clustered: its endpoint lacks"
                    + " @Clustered or was not deployed through WsServer");
            assertThat(reply[3]).isEqualTo("find=false");
        }
    }

    @Test
    void handshake_toUnknownPath_is404() {
        assertThat(RawWebSocket.handshake(port(), "/nowhere", TOKEN).status()).isEqualTo(404);
    }

    @Test
    void textMessage_overTheLimit_closesWith1009_atTheLimit_isDelivered() {
        try (Client ok = Client.connect(node.get(0).ws("/plain"), TOKEN);
             Client big = Client.connect(node.get(0).ws("/plain"), TOKEN)) {
            String atLimit = "x".repeat(1024);
            ok.send(atLimit);
            await().atMost(10, TimeUnit.SECONDS).until(() -> ok.received().contains(atLimit));

            big.send("x".repeat(1025));

            CloseReason reason = big.closed().orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(reason.getCloseCode().getCode()).isEqualTo(1009);
            assertThat(ok.request("still-open", "still-open")).isEqualTo("still-open"); // an echo: the server kept it open
            assertThat(ok.session().isOpen()).isTrue();
        }
    }

    @Test
    void connectionCap_reached_refuses503WithRetryAfterAndKeepsExistingConnections() {
        Nodes.Node n = capped.get(0);
        long before = n.server().stats().refusedOverCapacity();
        Client a = Client.connect(n.ws("/plain"));
        try (Client b = Client.connect(n.ws("/plain"))) {
            RawWebSocket.Response refused = RawWebSocket.handshake(n.port(), "/plain", Map.of());

            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.headers()).containsEntry("retry-after", "7");
            assertThat(n.server().stats().refusedOverCapacity()).isEqualTo(before + 1);
            assertThat(a.request("still-here", "still")).isEqualTo("still-here");
            assertThat(b.request("me-too", "me")).isEqualTo("me-too");
            a.close();
            await().atMost(10, TimeUnit.SECONDS).until(() -> RawWebSocket.handshake(n.port(), "/plain", Map.of()).status() == 101);
        } finally {
            a.close();
        }
    }

    @Test
    void health_whileRunning_answers200WithNodeMembersAndCounts() throws Exception {
        try (Client c = Client.connect(node.get(0).ws("/guarded?user=carol"), TOKEN)) {
            assertThat(c.session().isOpen()).isTrue();
            await().atMost(10, TimeUnit.SECONDS).until(() -> node.get(0).cluster().registry().localCount() >= 1);
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            assertThat(r.body()).contains("\"node\":\"" + node.get(0).cluster().localNode() + "\"")
                    .contains("\"members\":1").containsPattern("\"localSessions\":[1-9]")
                    .containsPattern("\"clusterSessions\":[1-9]").contains("\"untrustedMembers\":0").contains("\"status\":\"running\"");
        }
    }

    @Test
    void staticFiles_shareThePortWithWebSockets() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/index.html")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("<h1>chat</h1>");
    }

    @Test
    void handshake_toAStaticFilePath_is404NotTheFile() {
        RawWebSocket.Response file = RawWebSocket.handshake(port(), "/index.html", TOKEN);
        assertThat(file.status()).as("%s", file.headers()).isEqualTo(404);
        assertThat(RawWebSocket.handshake(port(), "/", TOKEN).status()).isEqualTo(404);
    }
}
