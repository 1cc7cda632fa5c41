package io.wscluster.tyrus.support;

import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;

/** A programmatic endpoint Tyrus cannot instantiate: its constructor fails (Tyrus's TYRUS-325 path). */
public class UncreatableEndpoint extends Endpoint {

    public UncreatableEndpoint() {
        throw new IllegalStateException("this endpoint cannot be created");
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        // never runs
    }
}
