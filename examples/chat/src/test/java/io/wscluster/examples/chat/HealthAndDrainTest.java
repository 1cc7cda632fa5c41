package io.wscluster.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.support.ChatCluster;
import io.wscluster.examples.chat.support.Http;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code GET /health}, the browser page, and the drain a SIGTERM runs. */
@Isolated("asserts counts within 2 to 3 s: a concurrent class would eat into that")
class HealthAndDrainTest {

    private ChatCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @DisplayName("/health answers 200 JSON: node, members, localSessions, clusterSessions (the sum, within 2 s)")
    void health_running_countsSessions() {
        cluster = ChatCluster.start(2);
        ChatClient a = ChatClient.connect(cluster.chat(0, "a"), "a");
        ChatClient b = ChatClient.connect(cluster.chat(0, "b"), "b");
        ChatClient c = ChatClient.connect(cluster.chat(1, "c"), "c");
        try {
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
                JsonNode h0 = Http.health(cluster.node(0).port()).json();
                JsonNode h1 = Http.health(cluster.node(1).port()).json();
                assertThat(h0.path("localSessions").asInt()).isEqualTo(2);
                assertThat(h1.path("localSessions").asInt()).isEqualTo(1);
                assertThat(h0.path("clusterSessions").asInt()).isEqualTo(3);
                assertThat(h1.path("clusterSessions").asInt()).isEqualTo(3);
            });
            Http.Response r = Http.health(cluster.node(0).port());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.contentType()).startsWith("application/json");
            assertThat(r.json().path("node").isTextual()).isTrue();
            assertThat(r.json().path("node").asText()).isEqualTo(cluster.node(0).cluster().localNode().value());
            assertThat(r.json().path("members").asInt()).isEqualTo(2);
            c.close();
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                    assertThat(Http.health(cluster.node(0).port()).json().path("clusterSessions").asInt()).isEqualTo(2));
        } finally {
            a.close();
            b.close();
            c.close();
        }
    }

    @Test
    @DisplayName("the node serves the browser page")
    void page_served() {
        cluster = ChatCluster.start(1);
        Http.Response page = Http.get("http://127.0.0.1:" + cluster.node(0).port() + "/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("wscluster chat").contains("app.js");
        assertThat(Http.get("http://127.0.0.1:" + cluster.node(0).port() + "/app.js").body()).contains("/chat?user=");
        assertThat(Http.get("http://127.0.0.1:" + cluster.node(0).port() + "/missing.js").status()).isEqualTo(404);
    }

    @Test
    @DisplayName("drain: 503 draining, clients closed with 1001, sessions and node gone from the others, port closed")
    void drain_closesWith1001AndLeaves() throws Exception {
        cluster = ChatCluster.start(2, new String[0], new String[] {"--drain-timeout-ms", "3000"});
        ChatNode draining = cluster.node(1);
        int port = draining.port();
        try (ChatClient stays = ChatClient.connect(cluster.chat(0, "stays"), "stays");
             ChatClient leaves = ChatClient.connect(cluster.chat(1, "leaves"), "leaves");
             RawWebSocket silent = RawWebSocket.connect(port, "/chat?user=silent")) {
            stays.join("lobby");
            leaves.join("lobby");
            assertThat(stays.who("lobby")).containsExactly("leaves", "stays");
            // The silent client never answers the close, so the drain waits for it: /health shows draining.
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(draining::drain);
            await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
                Http.Response h = Http.health(port);
                assertThat(h.status()).isEqualTo(503);
                assertThat(h.json().path("status").asText()).isEqualTo("draining");
                assertThat(h.json().has("clusterSessions")).isTrue();
            });
            assertThat(RawWebSocket.handshakeStatus(port, "/chat?user=late")).isEqualTo(503);
            assertThat(leaves.awaitClose(java.time.Duration.ofSeconds(5)).code()).isEqualTo(1001);
            assertThat(silent.awaitClose()).extracting(RawWebSocket.Close::code).isEqualTo(1001);
            assertThat(drained.get(10, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
                JsonNode h = Http.health(cluster.node(0).port()).json();
                assertThat(h.path("members").asInt()).isEqualTo(1);
                assertThat(h.path("clusterSessions").asInt()).isEqualTo(1);
            });
            assertThat(stays.who("lobby")).containsExactly("stays");
            assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", port), 1000))
                    .isInstanceOf(ConnectException.class);
        } catch (UncheckedIOException e) {
            throw new IOException(e);
        }
    }
}
