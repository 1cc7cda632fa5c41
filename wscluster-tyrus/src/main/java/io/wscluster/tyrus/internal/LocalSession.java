package io.wscluster.tyrus.internal;

import io.wscluster.Cluster;
import io.wscluster.ClusterSession;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/** The cluster side of one local session: its registration, outbound queue and rate limit. */
final class LocalSession implements ClusterSession {

    private final ServerRuntime runtime;
    private final SessionInfo info;
    private volatile Session session;
    private volatile CloseReason closeWhenBound;
    private final Outbound outbound;
    private final TokenBucket bucket;
    private final AtomicBoolean deregistered = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final LongAdder dropped = new LongAdder();

    /**
     * @param session the open session, or null for one registered during its handshake (see {@link #bind})
     */
    LocalSession(ServerRuntime runtime, SessionInfo info, Session session, Outbound outbound, TokenBucket bucket) {
        this.runtime = runtime;
        this.info = info;
        this.session = session;
        this.outbound = outbound;
        this.bucket = bucket;
    }

    @Override
    public SessionId id() {
        return info.id();
    }

    @Override
    public Optional<String> user() {
        return info.user();
    }

    @Override
    public String path() {
        return info.path();
    }

    @Override
    public Cluster cluster() {
        return runtime.settings().cluster();
    }

    @Override
    public boolean tryAcquire() {
        if (bucket == null || bucket.tryAcquire()) {
            return true;
        }
        runtime.rateLimited(this);
        return false;
    }

    @Override
    public int queuedMessages() {
        return outbound.size();
    }

    @Override
    public long droppedMessages() {
        return dropped.sum();
    }

    /** @return the socket's session, or null while the session is registered but not yet open */
    Session session() {
        return session;
    }

    /**
     * Binds a session registered during its handshake to its now open socket and starts sending what
     * was queued for it.
     *
     * @return the close decided before the socket was there (a slow consumer, a kick), or null
     */
    CloseReason bind(Session session) {
        this.session = session;
        outbound.attach(SessionSocket.of(session));
        return closeWhenBound;
    }

    /** Remembers a close decided while the session has no socket yet; {@link #bind} reports it. */
    void closeWhenBound(CloseReason reason) {
        if (closeWhenBound == null) {
            closeWhenBound = reason;
        }
    }

    SessionInfo info() {
        return info;
    }

    Outbound outbound() {
        return outbound;
    }

    void countDropped() {
        dropped.increment();
    }

    /** @return true the first time, when the caller should close the socket */
    boolean markClosing() {
        return closing.compareAndSet(false, true);
    }

    /** @return true the first time, when the caller must deregister */
    boolean markDeregistered() {
        return deregistered.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return "ClusterSession{" + info.id() + ", user=" + info.user().orElse("-") + ", path=" + info.path() + '}';
    }
}
