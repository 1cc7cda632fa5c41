package io.wscluster.examples.ticker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.map.IMap;
import io.wscluster.Cluster;
import io.wscluster.Message;
import io.wscluster.Target;
import io.wscluster.hazelcast.HazelcastCluster;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The producer: publishes price updates to one topic (room) per symbol, from whichever node it runs on.
 * An update is sent once; each node with subscribers fans it out to its own sessions. The last update of
 * each symbol is kept in the cluster for late joiners; {@code seq} lets a client drop a stale one.
 */
public final class Prices {
    record Tick(String symbol, double price, long seq, String time) {
    }
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Cluster cluster;
    private final Map<String, Double> prices = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();

    public Prices(Cluster cluster, List<String> symbols) {
        this.cluster = cluster;
        symbols.forEach(s -> prices.put(s, 100.0));
    }

    /** The cluster-wide last value of each symbol, kept in the Hazelcast instance under the cluster. */
    static IMap<String, String> lastValues(Cluster cluster) {
        return ((HazelcastCluster) cluster).hazelcastInstance().getMap("ticker.last");
    }

    /** Publishes an update of every symbol every {@code interval}, on one thread (so in order). */
    public void startEvery(Duration interval) {
        Executors.newSingleThreadScheduledExecutor().scheduleAtFixedRate(() -> prices.replaceAll((symbol, price) -> {
            double next = Math.max(1, price * (1 + ThreadLocalRandom.current().nextGaussian() * 0.002));
            publish(symbol, Math.round(next * 100) / 100.0);
            return next;
        }), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Publishes one update: keeps it as the last value, then sends it once to the symbol's topic. */
    public void publish(String symbol, double price) {
        String json = JSON.valueToTree(new Tick(symbol, price, seq.incrementAndGet(), Instant.now().toString())).toString();
        lastValues(cluster).set(symbol, json);
        cluster.messenger().send(Target.room(symbol), Message.text(json));
    }
}
