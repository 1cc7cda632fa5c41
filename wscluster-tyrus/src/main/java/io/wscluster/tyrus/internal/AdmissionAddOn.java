package io.wscluster.tyrus.internal;

import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter;

/**
 * Places our handshake filters around Tyrus's WebSocket filter; register it after Tyrus's
 * WebSocketAddOn. In read order: {@link RefusalFilter} (completes refusals on their way out),
 * {@link AdmissionFilter}, Tyrus, {@link NoEndpointFilter}, then Grizzly's HTTP handlers.
 */
final class AdmissionAddOn implements AddOn {

    private final ServerRuntime runtime;

    AdmissionAddOn(ServerRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void setup(NetworkListener networkListener, FilterChainBuilder builder) {
        int tyrus = builder.indexOfType(GrizzlyServerFilter.class);
        if (tyrus < 0) {
            throw new IllegalStateException("no Tyrus WebSocket filter in the Grizzly filter chain");
        }
        builder.add(tyrus + 1, new NoEndpointFilter());
        builder.add(tyrus, new AdmissionFilter(runtime));
        builder.add(tyrus, new RefusalFilter());
    }
}
