package io.wscluster.tyrus.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.wscluster.tyrus.ServerStats;
import io.wscluster.tyrus.WsServer;

import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link WsServer}'s counters to a Micrometer registry. Micrometer is an optional
 * dependency of wscluster: only this class needs it.
 *
 * <pre>{@code
 * new ServerMeters(server).bindTo(registry);
 * new ClusterMeters(server.cluster()).bindTo(registry);   // wscluster-hazelcast
 * }</pre>
 *
 * <p>Meters (tag {@code node}): {@code wscluster.server.sessions}, {@code wscluster.server.queued},
 * {@code wscluster.server.sent}, {@code wscluster.server.dropped}, {@code wscluster.server.slow.closes},
 * {@code wscluster.server.refused} (tag {@code reason}: capacity, draining, handshake) and
 * {@code wscluster.server.oversized}.
 *
 * @since 0.1.0
 */
// micrometer.core is an optional module (requires static): whoever binds meters has Micrometer
@SuppressWarnings("exports")
public final class ServerMeters implements MeterBinder {

    private final WsServer server;

    /**
     * @param server the server to observe
     */
    public ServerMeters(WsServer server) {
        this.server = Objects.requireNonNull(server, "server");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("node", server.cluster().localNode().value());
        Gauge.builder("wscluster.server.sessions", server, s -> s.stats().localSessions())
                .tags(tags).description("WebSocket sessions open on this server").register(registry);
        Gauge.builder("wscluster.server.queued", server, s -> s.stats().queuedMessages())
                .tags(tags).description("messages waiting in outbound queues").register(registry);
        counter(registry, "wscluster.server.sent", tags, ServerStats::sentMessages, "messages written to sessions");
        counter(registry, "wscluster.server.dropped", tags, ServerStats::droppedMessages,
                "messages dropped: queue full (DROP_NEWEST) or session closed first");
        counter(registry, "wscluster.server.slow.closes", tags, ServerStats::slowConsumerCloses,
                "sessions closed because their outbound queue was full");
        counter(registry, "wscluster.server.refused", tags.and("reason", "capacity"), ServerStats::refusedOverCapacity,
                "handshakes refused with 503: connection cap");
        counter(registry, "wscluster.server.refused", tags.and("reason", "draining"), ServerStats::refusedDraining,
                "handshakes refused with 503: starting or draining");
        counter(registry, "wscluster.server.refused", tags.and("reason", "handshake"), ServerStats::refusedHandshakes,
                "handshakes refused with 4xx: origin, authenticator or user");
        counter(registry, "wscluster.server.oversized", tags, ServerStats::oversizedMessages,
                "connections closed with 1009");
    }

    private void counter(MeterRegistry registry, String name, Tags tags, ToDoubleFunction<ServerStats> value, String description) {
        FunctionCounter.builder(name, server, s -> value.applyAsDouble(s.stats()))
                .tags(tags).description(description).register(registry);
    }
}
