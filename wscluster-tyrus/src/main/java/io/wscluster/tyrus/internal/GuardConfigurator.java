package io.wscluster.tyrus.internal;

import io.wscluster.Names;
import io.wscluster.SessionId;
import io.wscluster.tyrus.HandshakeRejection;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.tyrus.spi.UpgradeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Wraps an endpoint's own configurator: checks the origin allow-list, runs the server's
 * authenticator and user resolver during the handshake, refusing with a 4xx status before the
 * upgrade, then hands over to the endpoint's configurator. Always hands Tyrus the wrapping
 * {@link SessionEndpoint}.
 */
final class GuardConfigurator extends ServerEndpointConfig.Configurator {

    /** Handshake user property holding the resolved user name. */
    static final String USER_PROPERTY = "io.wscluster.tyrus.user";

    private static final Logger LOG = LoggerFactory.getLogger(GuardConfigurator.class);

    private final ServerEndpointConfig.Configurator delegate;
    private final ServerRuntime runtime;
    private final SessionEndpoint endpoint;
    private final boolean clustered;

    GuardConfigurator(ServerEndpointConfig.Configurator delegate, ServerRuntime runtime, SessionEndpoint endpoint,
                      boolean clustered) {
        this.delegate = delegate;
        this.runtime = runtime;
        this.endpoint = endpoint;
        this.clustered = clustered;
    }

    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        return delegate.getNegotiatedSubprotocol(supported, requested);
    }

    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
        return delegate.getNegotiatedExtensions(installed, requested);
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
        if (!runtime.originAllowed(originHeaderValue)) {
            runtime.counters().refusedHandshakes.increment();
            LOG.debug("Handshake refused: origin '{}' is not allowed", originHeaderValue);
            return false;
        }
        return delegate.checkOrigin(originHeaderValue);
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        try {
            if (!runtime.settings().authenticator().authenticate(request)) {
                reject(response, 403, "authenticator refused");
                return;
            }
            if (clustered) {
                String user = runtime.settings().userResolver().resolve(request);
                if (user != null) {
                    if (!Names.isValidUser(user)) {
                        reject(response, 400, "invalid user name");
                        return;
                    }
                    sec.getUserProperties().put(USER_PROPERTY, user);
                }
            }
        } catch (HandshakeRejection e) {
            reject(response, e.status(), e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.warn("Handshake check failed with an exception; refusing with 403", e);
            reject(response, 403, e.toString());
            return;
        }
        delegate.modifyHandshake(sec, request, response);
        if (clustered && response instanceof UpgradeResponse upgrade && upgrade.getStatus() == 101) {
            // registered now, before Tyrus writes the 101: a client that has it is reachable at once
            Object user = sec.getUserProperties().get(USER_PROPERTY);
            SessionId id = runtime.reserve(spec(), user instanceof String s ? s : null);
            if (id != null) {
                sec.getUserProperties().put(ServerRuntime.RESERVED_PROPERTY, id);
            }
        }
    }

    private EndpointSpec spec() {
        return endpoint.spec();
    }

    private void reject(HandshakeResponse response, int status, String why) {
        runtime.counters().refusedHandshakes.increment();
        LOG.debug("Handshake refused with {}: {}", status, why);
        if (response instanceof UpgradeResponse upgrade) {
            upgrade.setStatus(status);
            upgrade.getHeaders().remove("Upgrade");
            upgrade.getHeaders().remove("Connection");
            upgrade.getHeaders().remove("Sec-WebSocket-Accept");
        } else {
            throw new IllegalStateException("not a Tyrus handshake response: " + response.getClass().getName());
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
        return (T) endpoint;
    }
}
