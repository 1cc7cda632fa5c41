package io.wscluster.tyrus.internal;

import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;

/** Installs the {@link AdmissionFilter}; register it before Tyrus's WebSocketAddOn so it runs first. */
final class AdmissionAddOn implements AddOn {

    private final ServerRuntime runtime;

    AdmissionAddOn(ServerRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void setup(NetworkListener networkListener, FilterChainBuilder builder) {
        int index = builder.indexOfType(HttpServerFilter.class);
        if (index < 0) {
            throw new IllegalStateException("no HttpServerFilter in the Grizzly filter chain");
        }
        builder.add(index, new AdmissionFilter(runtime));
    }
}
