package io.wscluster.tyrus.internal;

import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter;

/**
 * Places our handshake filters around Tyrus's WebSocket filter; register it after Tyrus's
 * WebSocketAddOn. In read order: the transport, the {@link ConnectionGuard} (sockets from accept to
 * close), ..., {@link UpgradedReads} (upgraded connections skip the next one), Grizzly's HTTP codec,
 * {@link RefusalFilter} (completes refusals on their way out), {@link AdmissionFilter},
 * Tyrus, {@link NoEndpointFilter}, then Grizzly's HTTP handlers.
 */
final class AdmissionAddOn implements AddOn {

    private final ServerRuntime runtime;
    private final ConnectionGuard guard;

    AdmissionAddOn(ServerRuntime runtime, ConnectionGuard guard) {
        this.runtime = runtime;
        this.guard = guard;
    }

    @Override
    public void setup(NetworkListener networkListener, FilterChainBuilder builder) {
        int tyrus = builder.indexOfType(GrizzlyServerFilter.class);
        if (tyrus < 0) {
            throw new IllegalStateException("no Tyrus WebSocket filter in the Grizzly filter chain");
        }
        builder.add(tyrus + 1, new NoEndpointFilter());
        builder.add(tyrus, new AdmissionFilter(runtime, guard));
        builder.add(tyrus, new RefusalFilter());
        int transport = builder.indexOfType(TransportFilter.class);
        if (transport < 0) {
            throw new IllegalStateException("no transport filter in the Grizzly filter chain");
        }
        builder.add(transport + 1, guard);
        int codec = builder.indexOfType(HttpServerFilter.class);
        if (codec < 0) {
            throw new IllegalStateException("no HTTP codec filter in the Grizzly filter chain");
        }
        builder.add(codec, new UpgradedReads());
    }
}
