package io.wscluster.tyrus.internal;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint Tyrus sees for every endpoint a {@code WsServer} deploys: it applies the server's
 * limits and registers the session in the cluster before the application's endpoint (annotated or
 * programmatic) gets {@code onOpen}, and deregisters it after {@code onClose}. Public only because
 * Tyrus invokes it reflectively; not API.
 */
public final class SessionEndpoint extends Endpoint {

    private static final Logger LOG = LoggerFactory.getLogger(SessionEndpoint.class);

    private final ServerRuntime runtime;
    private final EndpointSpec spec;

    SessionEndpoint(ServerRuntime runtime, EndpointSpec spec) {
        this.runtime = runtime;
        this.spec = spec;
    }

    EndpointSpec spec() {
        return spec;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        SessionState state = runtime.opened(session, spec);
        if (state.refusal != null) {
            runtime.closeAsync(session, state.refusal);
            return;
        }
        Endpoint delegate = spec.delegate().get();
        state.delegate = delegate;
        state.delegateOpened = true;
        delegate.onOpen(session, config);
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        try {
            SessionState state = SessionState.of(session);
            if (state != null && state.delegateOpened) {
                state.delegate.onClose(session, closeReason);
            }
        } finally {
            runtime.closed(session);
        }
    }

    @Override
    public void onError(Session session, Throwable thr) {
        SessionState state = SessionState.of(session);
        if (state != null && state.delegateOpened) {
            state.delegate.onError(session, thr);
        } else {
            LOG.debug("Error on session {} before it opened: {}", session.getId(), thr.toString());
        }
    }
}
