package io.wscluster.examples.ticker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.map.IMap;
import com.hazelcast.topic.ITopic;
import io.wscluster.Cluster;
import io.wscluster.Message;
import io.wscluster.SessionId;
import io.wscluster.Target;
import io.wscluster.hazelcast.HazelcastCluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The producer: publishes price updates to one topic (room) per symbol, from whichever node it runs on.
 * An update is sent once; each node with subscribers fans it out to its own sessions. {@code seq} grows
 * with every update.
 *
 * <p>Late joiners, each update exactly once: a subscriber that joined the room itself and then read the
 * last value could get an update twice, once from the room and once as "last value", when the update
 * was published around its join. So the producer admits subscribers itself ({@link #admit}), under the
 * same lock as {@link #publish}: it joins the session to the room, then sends it the latest update.
 * Every update published before the admission is one the session was not yet a member for, and the
 * latest of them is the one it is sent; every update after it reaches the session through the room,
 * after that one (one sender, one receiving node: the cluster keeps their order).
 */
public final class Prices {
    record Tick(String symbol, double price, long seq, String time) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Prices.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ADMIT_TIMEOUT = Duration.ofSeconds(10);

    private final Cluster cluster;
    private final Map<String, Double> prices = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private final Object lock = new Object();
    private final ExecutorService admissions = Executors.newSingleThreadExecutor(daemon("ticker-admissions"));
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(daemon("ticker-prices"));

    /**
     * A producer of some symbols on this node: it registers as their producer and admits their subscribers.
     *
     * @param cluster the cluster (a {@link HazelcastCluster})
     * @param symbols the symbols it publishes
     */
    public Prices(Cluster cluster, List<String> symbols) {
        this.cluster = cluster;
        symbols.forEach(s -> prices.put(s, 100.0));
        subscriptionRequests(cluster).addMessageListener(m -> {
            String[] request = m.getMessageObject().split(" ", 2);
            if (request.length == 2 && prices.containsKey(request[0])) {
                // Off the Hazelcast event thread: an admission waits for the cluster.
                admissions.execute(() -> admit(request[0], new SessionId(request[1])));
            }
        });
        symbols.forEach(s -> producers(cluster).set(s, cluster.localNode().value()));
    }

    /** The cluster-wide last value of each symbol, kept in the Hazelcast instance under the cluster. */
    static IMap<String, String> lastValues(Cluster cluster) {
        return ((HazelcastCluster) cluster).hazelcastInstance().getMap("ticker.last");
    }

    /** The node producing each symbol. */
    static IMap<String, String> producers(Cluster cluster) {
        return ((HazelcastCluster) cluster).hazelcastInstance().getMap("ticker.producers");
    }

    /** Requests to a symbol's producer to admit a session: {@code "SYMBOL SESSION-ID"}. */
    static ITopic<String> subscriptionRequests(Cluster cluster) {
        return ((HazelcastCluster) cluster).hazelcastInstance().getTopic("ticker.subscribe");
    }

    /** Publishes an update of every symbol every {@code interval}, on one thread (so in order). */
    public void startEvery(Duration interval) {
        ticks.scheduleAtFixedRate(() -> prices.replaceAll((symbol, price) -> {
            double next = Math.max(1, price * (1 + ThreadLocalRandom.current().nextGaussian() * 0.002));
            publish(symbol, Math.round(next * 100) / 100.0);
            return next;
        }), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Publishes one update: keeps it as the last value, then sends it once to the symbol's topic. */
    public void publish(String symbol, double price) {
        synchronized (lock) {
            String json = JSON.valueToTree(new Tick(symbol, price, seq.incrementAndGet(), Instant.now().toString())).toString();
            lastValues(cluster).set(symbol, json);
            cluster.messenger().send(Target.room(symbol), Message.text(json));
        }
    }

    /** Makes a session a subscriber of a symbol: joins it to the room, then sends it the latest update. */
    void admit(String symbol, SessionId session) {
        synchronized (lock) {
            try {
                if (!cluster.rooms().join(session, symbol).toCompletableFuture().get(ADMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    return; // the session closed meanwhile
                }
                String last = lastValues(cluster).get(symbol);
                if (last != null) {
                    cluster.messenger().send(Target.session(session), Message.text(last));
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                LOG.warn("Could not subscribe session {} to {}: {}", session, symbol, e.toString());
            }
        }
    }

    /** Stops publishing and admitting. */
    public void stop() {
        ticks.shutdownNow();
        admissions.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
