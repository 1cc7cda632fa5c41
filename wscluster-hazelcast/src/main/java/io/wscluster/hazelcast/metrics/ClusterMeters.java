package io.wscluster.hazelcast.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.wscluster.Cluster;
import io.wscluster.ClusterStats;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link Cluster}'s counters to a Micrometer registry. Micrometer is an optional
 * dependency of wscluster: only this class needs it, and nothing else loads it.
 *
 * <pre>{@code
 * new ClusterMeters(cluster).bindTo(registry);
 * }</pre>
 *
 * <p>Meters (tag {@code node}): {@code wscluster.sessions.local}, {@code wscluster.sessions.cluster}
 * (one cluster-wide count per scrape), {@code wscluster.nodes}, {@code wscluster.messages.sent},
 * {@code wscluster.deliveries.local}, {@code wscluster.internode.messages} and
 * {@code wscluster.internode.bytes} (tag {@code direction} in/out), {@code wscluster.requests.timedout},
 * {@code wscluster.nodes.lost}, and the timer {@code wscluster.routing} (time to route a send).
 *
 * @since 0.1.0
 */
// micrometer.core is an optional module (requires static): whoever binds meters has Micrometer
@SuppressWarnings("exports")
public final class ClusterMeters implements MeterBinder {

    private final Cluster cluster;
    private final Tags tags;

    /**
     * @param cluster the cluster to observe
     */
    public ClusterMeters(Cluster cluster) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.tags = Tags.of(Tag.of("node", cluster.localNode().value()));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("wscluster.sessions.local", cluster, c -> c.registry().localCount())
                .tags(tags).description("sessions whose sockets are on this node").register(registry);
        Gauge.builder("wscluster.sessions.cluster", cluster, c -> c.registry().clusterCount())
                .tags(tags).description("sessions in the whole cluster").register(registry);
        Gauge.builder("wscluster.nodes", cluster, c -> c.nodes().size())
                .tags(tags).description("live nodes").register(registry);
        counter(registry, "wscluster.messages.sent", Tags.empty(), ClusterStats::messagesSent, "messages routed by this node");
        counter(registry, "wscluster.deliveries.local", Tags.empty(), ClusterStats::localDeliveries,
                "session writes handed to this node's server");
        counter(registry, "wscluster.internode.messages", Tags.of("direction", "out"), ClusterStats::envelopesOut,
                "messages sent to other nodes");
        counter(registry, "wscluster.internode.messages", Tags.of("direction", "in"), ClusterStats::envelopesIn,
                "messages received from other nodes");
        counter(registry, "wscluster.internode.bytes", Tags.of("direction", "out"), ClusterStats::bytesOut,
                "bytes sent to other nodes");
        counter(registry, "wscluster.internode.bytes", Tags.of("direction", "in"), ClusterStats::bytesIn,
                "bytes received from other nodes");
        counter(registry, "wscluster.requests.timedout", Tags.empty(), ClusterStats::requestsTimedOut,
                "requests to other nodes that got no answer in time");
        counter(registry, "wscluster.nodes.lost", Tags.empty(), ClusterStats::nodesLost,
                "lost nodes whose sessions this node removed");
        Gauge.builder("wscluster.history.rooms", cluster, c -> c.stats().historyRooms())
                .tags(tags).description("history rooms whose sequence this node holds").register(registry);
        counter(registry, "wscluster.history.replays", Tags.empty(), ClusterStats::replaysServed,
                "joins with a replay and history reads this node served");
        counter(registry, "wscluster.history.replayed", Tags.empty(), ClusterStats::messagesReplayed,
                "messages this node replayed to its sessions");
        counter(registry, "wscluster.history.refused", Tags.empty(), ClusterStats::recoveriesRefused,
                "resumes answered recovered=false (a gap beyond the history or another epoch)");
        FunctionTimer.builder("wscluster.routing", cluster, c -> c.stats().messagesSent(),
                        c -> c.stats().routingNanos(), TimeUnit.NANOSECONDS)
                .tags(tags).description("time to route a send (lookup and hand-off)").register(registry);
    }

    private void counter(MeterRegistry registry, String name, Tags extra, ToDoubleFunction<ClusterStats> value, String description) {
        FunctionCounter.builder(name, cluster, c -> value.applyAsDouble(c.stats()))
                .tags(tags.and(extra)).description(description).register(registry);
    }
}
