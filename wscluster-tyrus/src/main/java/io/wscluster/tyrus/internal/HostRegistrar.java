package io.wscluster.tyrus.internal;

import io.wscluster.Cluster;
import io.wscluster.SessionId;
import io.wscluster.spi.SessionHost;
import jakarta.websocket.Session;

import java.util.Map;

/**
 * Registers the sessions of {@code @Clustered} endpoints through the node's {@link SessionHost},
 * under fresh ids, without attributes; a session may be registered during its handshake.
 */
final class HostRegistrar implements SessionRegistrar {

    private volatile SessionHost host;

    @Override
    public void attach(Cluster cluster, SessionHost host) {
        this.host = host;
    }

    @Override
    public boolean registersEverySession() {
        return false;
    }

    @Override
    public SessionId idAtHandshake() {
        return host.newId();
    }

    @Override
    public SessionId idAtOpen(Session session) {
        return host.newId();
    }

    @Override
    public void open(SessionId id, Session session, String path, String user) {
        host.open(id, path, user, Map.of());
    }

    @Override
    public void closed(SessionId id) {
        host.closed(id);
    }

    @Override
    public void shutdown() {
        // nothing of its own
    }
}
