package io.wscluster.tyrus.internal;

import io.wscluster.Cluster;
import io.wscluster.SessionId;
import io.wscluster.spi.SessionHost;
import jakarta.websocket.Session;

/**
 * How a session that opens or closes on this server is made known to the cluster. A server has one,
 * chosen when it is built: {@link #plain()} registers the sessions of {@code @Clustered} endpoints
 * through the node's {@link SessionHost}; the Tyrus cluster SPI adapter's registers every session
 * under the id Tyrus gave it, with Tyrus's distributed properties as attributes.
 */
public interface SessionRegistrar {

    /**
     * The server attached to the cluster as the node's server.
     *
     * @param cluster the node's cluster
     * @param host    the session host the server got from {@link Cluster#attachServer}
     */
    void attach(Cluster cluster, SessionHost host);

    /** @return true if sessions of every endpoint are registered, not only those of {@code @Clustered} ones */
    boolean registersEverySession();

    /**
     * The id of a session registered during its handshake, before its socket exists (so that a client
     * that has the 101 is reachable at once).
     *
     * @return a new id, or null if sessions are registered only when they open
     */
    SessionId idAtHandshake();

    /**
     * The id of a session that opens now and was not registered during its handshake.
     *
     * @param session the session
     * @return its id
     * @throws IllegalStateException if the session cannot be registered
     */
    SessionId idAtOpen(Session session);

    /**
     * Registers a session in the cluster.
     *
     * @param id      its id, from {@link #idAtHandshake} or {@link #idAtOpen}
     * @param session the open session, or null during its handshake
     * @param path    its endpoint path
     * @param user    its user, or null
     * @throws RuntimeException if the cluster refused it
     */
    void open(SessionId id, Session session, String path, String user);

    /**
     * Deregisters a session; the server calls it once per registered session.
     *
     * @param id its id
     */
    void closed(SessionId id);

    /** The server drained: stops what the registrar runs. Idempotent. */
    void shutdown();

    /** @return the registrar of a server without a Tyrus cluster context */
    static SessionRegistrar plain() {
        return new HostRegistrar();
    }
}
