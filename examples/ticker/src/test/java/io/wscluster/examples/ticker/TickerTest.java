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
        // Each member is kept as soon as it runs, so that stop() ends it even if a later start fails.
        HazelcastCluster first = HazelcastCluster.builder().clusterName(name).port(0).build();
        clusters.add(first);
        String seed = first.nodes().get(0).address();
        HazelcastCluster second = HazelcastCluster.builder().clusterName(name).port(0).members(seed).build();
        clusters.add(second);
        await().atMost(Duration.ofSeconds(30)).until(() -> first.nodes().size() == 2 && second.nodes().size() == 2);
        for (HazelcastCluster c : clusters) {
            servers.add(TickerMain.server(c, 0));
        }
        prices = new Prices(first, List.of("AAPL", "MSFT"));
    }

    @AfterAll
    static void stop() {
        if (prices != null) {
            prices.stop();
        }
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

        List<Long> seqs(String symbol) {
            return ticks.stream().filter(t -> t.path("symbol").asText().equals(symbol)).map(t -> t.path("seq").asLong()).toList();
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

    /**
     * Subscribers that join while updates stream in get each update once: the last value when they join,
     * then every later one, none twice, none missing. Guards against a joiner that got an update both
     * from the room and as "last value" when it was published around the join.
     */
    @Test
    @DisplayName("late joiners on both nodes during a stream of updates get each update exactly once, without a gap")
    void lateJoinersDuringUpdates_eachUpdateExactlyOnce() throws Exception {
        Prices stream = new Prices(clusters.get(0), List.of("LATE"));
        java.util.concurrent.atomic.AtomicLong published = new java.util.concurrent.atomic.AtomicLong();
        int updates = 600;
        Thread publisher = new Thread(() -> {
            for (int i = 1; i <= updates; i++) {
                stream.publish("LATE", i);
                published.set(i);
            }
        }, "late-publisher");
        List<Subscriber> joiners = new ArrayList<>();
        try {
            publisher.start();
            for (int k = 0; k < 12; k++) {
                long after = 20L + 40L * k;
                await().atMost(Duration.ofSeconds(30)).until(() -> published.get() >= after);
                joiners.add(new Subscriber(k % 2, "LATE"));
            }
            publisher.join(Duration.ofSeconds(60).toMillis());
            assertThat(publisher.isAlive()).isFalse();
            long last = published.get();
            assertThat(last).isEqualTo(updates);
            for (Subscriber s : joiners) {
                await().atMost(Duration.ofSeconds(10)).until(() -> s.prices("LATE").contains((double) updates));
                List<Long> seqs = s.seqs("LATE");
                assertThat(seqs).as("updates as received").doesNotHaveDuplicates().isSorted();
                assertThat(seqs.get(seqs.size() - 1) - seqs.get(0) + 1).as("no gap in %s", seqs).isEqualTo(seqs.size());
            }
        } finally {
            publisher.join(Duration.ofSeconds(60).toMillis());
            stream.stop();
            for (Subscriber s : joiners) {
                s.session.close();
            }
        }
    }
}
