package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.Cluster;
import io.wscluster.SessionId;
import io.wscluster.spi.SessionHost;
import io.wscluster.tyrus.internal.SessionRegistrar;
import jakarta.websocket.Session;

/**
 * The registrar of a server with a {@code TyrusClusterContext}: every session, on every endpoint,
 * keeps the id Tyrus gave it (drawn from the cluster by the context) and is registered by the
 * context, with Tyrus's distributed properties as attributes, right before its endpoint opens; never
 * during its handshake, as Tyrus creates the session only after it.
 */
final class TyrusSessionRegistrar implements SessionRegistrar {

    private final TyrusClusterAdapter adapter;

    TyrusSessionRegistrar(TyrusClusterAdapter adapter) {
        this.adapter = adapter;
    }

    @Override
    public void attach(Cluster cluster, SessionHost host) {
        adapter.bind(cluster, host);
    }

    @Override
    public boolean registersEverySession() {
        return true;
    }

    @Override
    public SessionId idAtHandshake() {
        return null;
    }

    @Override
    public SessionId idAtOpen(Session session) {
        return adapter.idOf(session.getId());
    }

    @Override
    public void open(SessionId id, Session session, String path, String user) {
        adapter.open(session.getId(), user, session.getRequestURI());
    }

    @Override
    public void closed(SessionId id) {
        adapter.closed(id.value());
    }

    @Override
    public void shutdown() {
        adapter.shutdown();
    }
}
