package io.wscluster.tyrus.internal;

import io.wscluster.Names;
import io.wscluster.SessionId;
import io.wscluster.tyrus.HandshakeRejection;
import io.wscluster.tyrus.IdentityVerifier;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.tyrus.spi.UpgradeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Wraps an endpoint's own configurator: checks the origin allow-list, runs the server's
 * authenticator, identity verifier (every endpoint) or user resolver (clustered endpoints) during the
 * handshake, refusing with a 4xx status before the upgrade, then hands over to the endpoint's
 * configurator. The user a verifier proved is the only name a verified session can have: no resolver
 * runs beside it. Always hands Tyrus the wrapping {@link SessionEndpoint}.
 */
final class GuardConfigurator extends ServerEndpointConfig.Configurator {

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
        SessionState state = null;
        try {
            if (!runtime.settings().authenticator().authenticate(request)) {
                reject(response, 403, "authenticator refused");
                return;
            }
            IdentityVerifier verifier = runtime.settings().identityVerifier();
            String verified = null;
            if (verifier != null) {
                verified = verifier.verify(request);
                if (verified == null || !Names.isValidUser(verified)) {
                    reject(response, 403, "identity verifier proved no valid user");
                    return;
                }
            }
            if (clustered) {
                String user = verifier != null ? verified : runtime.settings().userResolver().resolve(request);
                if (user != null && !Names.isValidUser(user)) {
                    reject(response, 400, "invalid user name");
                    return;
                }
                List<String> rooms = initialRooms(request);
                if (rooms == null) {
                    reject(response, 400, "invalid room name");
                    return;
                }
                state = SessionState.atHandshake(sec.getUserProperties(), user, rooms);
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
        if (state != null && response instanceof UpgradeResponse upgrade && upgrade.getStatus() == 101) {
            // registered now, before Tyrus writes the 101: a client that has it is reachable at once
            SessionId id = runtime.reserve(spec(), state.user(), state.rooms());
            if (id != null) {
                state.reserved(id);
            }
        }
    }

    /**
     * The rooms a session joins before its 101: the endpoint's fixed rooms, the resolver's, and the
     * room path parameter's value (Tyrus puts path parameters into the request's parameter map before
     * the handshake). A path parameter that is no valid room name joins nothing here: the session is
     * closed with 1008 when it opens.
     *
     * @return the rooms, or null if the resolver named an invalid one
     */
    private List<String> initialRooms(HandshakeRequest request) {
        EndpointSpec spec = spec();
        Set<String> rooms = new LinkedHashSet<>(spec.rooms());
        Collection<String> resolved = runtime.settings().roomResolver().resolve(request);
        if (resolved != null) {
            for (String room : resolved) {
                if (!Names.isValidRoom(room)) {
                    return null;
                }
                rooms.add(room);
            }
        }
        if (!spec.roomPathParam().isEmpty()) {
            List<String> values = request.getParameterMap().get(spec.roomPathParam());
            String room = values == null || values.isEmpty() ? null : values.get(0);
            if (!Names.isValidRoom(room)) {
                return List.of();
            }
            rooms.add(room);
        }
        return List.copyOf(rooms);
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
