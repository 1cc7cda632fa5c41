package io.wscluster.examples.ticker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.tyrus.WsServer;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two ticker nodes in this JVM: the producer on node 0, subscribers on both. */
class TickerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ClientManager CLIENTS = ClientManager.createClient();
    private static final List<HazelcastCluster> clusters = new ArrayList<>();
    private static final List<WsServer> servers = new ArrayList<>();
    private static Prices prices;

    @BeforeAll
    static void start() {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        String name = "ticker-" + UUID.randomUUID().toString().substring(0, 8);
        HazelcastCluster first = HazelcastCluster.builder().clusterName(name).port(0).build();
        String seed = first.nodes().get(0).address();
        HazelcastCluster second = HazelcastCluster.builder().clusterName(name).port(0).members(seed).build();
        clusters.addAll(List.of(first, second));
        await().atMost(Duration.ofSeconds(30)).until(() -> first.nodes().size() == 2 && second.nodes().size() == 2);
        for (HazelcastCluster c : clusters) {
            servers.add(TickerMain.server(c, 0));
        }
        prices = new Prices(first, List.of("AAPL", "MSFT"));
    }

    @AfterAll
    static void stop() {
        servers.forEach(WsServer::drain);
        clusters.forEach(HazelcastCluster::crash);
    }

    /** A subscriber: sends symbols, keeps the updates it receives. */
    static final class Subscriber {
        final List<JsonNode> ticks = new CopyOnWriteArrayList<>();
        final Session session;

        Subscriber(int node, String... symbols) {
            try {
                session = CLIENTS.connectToServer(new Endpoint() {
                    @Override
                    public void onOpen(Session s, EndpointConfig config) {
                        s.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
                            try {
                                ticks.add(JSON.readTree(text));
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
                    }
                }, ClientEndpointConfig.Builder.create().build(), URI.create("ws://127.0.0.1:" + servers.get(node).port() + "/ticker"));
                for (String symbol : symbols) {
                    session.getBasicRemote().sendText(symbol);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        List<Double> prices(String symbol) {
            return ticks.stream().filter(t -> t.path("symbol").asText().equals(symbol)).map(t -> t.path("price").asDouble()).toList();
        }
    }

    @Test
    @DisplayName("updates published on one node reach subscribers on every node, in order, only for their symbols")
    void updates_reachSubscribersOnEveryNode() throws Exception {
        Subscriber local = new Subscriber(0, "MSFT");
        Subscriber remote = new Subscriber(1, "MSFT");
        Subscriber other = new Subscriber(1, "NONE");
        // Subscriptions are ready once each has seen the last value, which this first update also sets.
        prices.publish("MSFT", 10.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> local.prices("MSFT").contains(10.0) && remote.prices("MSFT").contains(10.0));
        int before = remote.ticks.size();
        for (int i = 1; i <= 50; i++) {
            prices.publish("MSFT", 10.0 + i);
            prices.publish("AAPL", 500.0 + i);
        }
        for (Subscriber s : List.of(local, remote)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> s.prices("MSFT").contains(60.0));
            List<Double> seen = s.prices("MSFT");
            assertThat(seen.subList(seen.indexOf(11.0), seen.size())).hasSize(50).isSorted();
            assertThat(s.prices("AAPL")).isEmpty();
        }
        assertThat(remote.ticks.subList(before, remote.ticks.size())).extracting(t -> t.path("seq").asLong()).isSorted();
        // a control for the subscriber of nothing: subscribing now sends it MSFT's last value (60) on the same
        // socket, after anything the updates above might wrongly have sent it
        other.session.getBasicRemote().sendText("MSFT");
        await().atMost(Duration.ofSeconds(10)).until(() -> !other.ticks.isEmpty());
        assertThat(other.prices("MSFT")).containsExactly(60.0);
        assertThat(other.ticks).hasSize(1);
        for (Subscriber s : List.of(local, remote, other)) {
            s.session.close();
        }
    }

    @Test
    @DisplayName("one connection subscribes to several symbols")
    void severalSymbols_oneConnection() throws Exception {
        Subscriber both = new Subscriber(1, "AAPL", "MSFT");
        prices.publish("AAPL", 7.0);
        prices.publish("MSFT", 8.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> both.prices("AAPL").contains(7.0) && both.prices("MSFT").contains(8.0));
        both.session.close();
    }

    @Test
    @DisplayName("a late joiner on another node gets the last value at once, then the updates")
    void lateJoiner_getsLastValue() throws Exception {
        prices.publish("AAPL", 1.0);
        prices.publish("AAPL", 2.0);
        prices.publish("AAPL", 3.0);
        Subscriber late = new Subscriber(1, "AAPL");
        await().atMost(Duration.ofSeconds(10)).until(() -> !late.ticks.isEmpty());
        assertThat(late.prices("AAPL")).containsExactly(3.0);
        prices.publish("AAPL", 4.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> late.prices("AAPL").contains(4.0));
        assertThat(late.prices("AAPL")).containsExactly(3.0, 4.0);
        late.session.close();
    }
}
