package io.wscluster.tyrus.internal;

import io.wscluster.CloseCode;
import io.wscluster.ClusterSession;
import io.wscluster.Message;
import io.wscluster.Names;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.spi.SessionHost;
import io.wscluster.tyrus.ServerStats;
import io.wscluster.tyrus.ServerStatus;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state of one server: its sessions from handshake to close, the connection cap, counters and
 * status; the cluster's {@link LocalDelivery} for it. One class per job behind it:
 * {@link ClusteredSessions} (sessions registered in the cluster, their outbound queues, overflow),
 * {@link Reservations} (sessions registered during their handshake), {@link SessionCloser} (socket
 * closes off the fan-out thread) and the {@link SessionRegistrar} chosen when the server was built.
 *
 * <p>Design notes. Every session of every endpoint deployed by the server is tracked (for drain
 * and the connection count); sessions of {@code @Clustered} endpoints (of every endpoint, when the
 * registrar says so: a {@code TyrusClusterContext} is installed) are also registered through the
 * registrar before the application's {@code @OnOpen}, and deregistered exactly once.
 *
 * <p>Registration during the handshake. A client counts as connected when it has the 101, but Tyrus
 * writes the 101 before it opens the session. So a session of a {@code @Clustered} endpoint is
 * registered in {@code modifyHandshake} ({@link #reserve}), when the registrar allows it, and made a
 * member of its initial rooms (fixed, resolved, path parameter) there too, with an outbound queue
 * that holds what arrives (within its bounds) until {@link #opened} binds the socket; a close decided
 * meanwhile (overflow, kick) applies at that moment. A reservation that no session claims within
 * {@link #RESERVATION_TIMEOUT} is deregistered by a sweep. With a {@code TyrusClusterContext}, the
 * session keeps the id Tyrus gave it and the context registers it (with Tyrus's distributed
 * properties as attributes) when it opens.
 */
public final class ServerRuntime implements LocalDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(ServerRuntime.class);
    /** How long a session registered during its handshake waits for its socket before it is deregistered. */
    static final Duration RESERVATION_TIMEOUT = Duration.ofSeconds(30);

    private final Settings settings;
    private final SessionRegistrar registrar;
    private final Counters counters = new Counters();
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final SessionCloser closer;
    private final ClusteredSessions clustered;
    private final Reservations reservations;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicBoolean warnedRateLimit = new AtomicBoolean();
    private final Object emptyLock = new Object();
    private volatile ServerStatus status = ServerStatus.STARTING;

    /**
     * Creates the runtime.
     *
     * @param settings  the server's settings
     * @param registrar how sessions are made known to the cluster
     */
    public ServerRuntime(Settings settings, SessionRegistrar registrar) {
        this(settings, registrar, RESERVATION_TIMEOUT);
    }

    /**
     * Creates the runtime with its own reservation timeout (tests).
     *
     * @param reservationTimeout how long a session registered during its handshake waits for its socket
     */
    ServerRuntime(Settings settings, SessionRegistrar registrar, Duration reservationTimeout) {
        this.settings = settings;
        this.registrar = registrar;
        this.closer = new SessionCloser(settings.port());
        this.clustered = new ClusteredSessions(settings, counters, registrar, closer);
        this.reservations = new Reservations(settings.port(), reservationTimeout, clustered::deregister);
    }

    /** @return the settings */
    public Settings settings() {
        return settings;
    }

    /** Attaches this runtime to the cluster as the node's server, and tells the registrar. */
    public void attach() {
        SessionHost host = settings.cluster().attachServer(this);
        registrar.attach(settings.cluster(), host);
    }

    /** @return how sessions are made known to the cluster */
    SessionRegistrar registrar() {
        return registrar;
    }

    /** @return the status */
    public ServerStatus status() {
        return status;
    }

    /** @param status the new status */
    public void status(ServerStatus status) {
        this.status = status;
    }

    // ---------------------------------------------------------------- handshake admission

    /** @return true if one more upgraded connection fits under the cap; reserves it */
    boolean tryAdmit() {
        while (true) {
            int n = admitted.get();
            if (n >= settings.admission().maxConnections()) {
                return false;
            }
            if (admitted.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        admitted.decrementAndGet();
    }

    boolean originAllowed(String origin) {
        Set<String> allowed = settings.admission().allowedOrigins();
        if (allowed.isEmpty() || origin == null) {
            return true;
        }
        return allowed.contains(origin.toLowerCase(Locale.ROOT));
    }

    Counters counters() {
        return counters;
    }

    // ---------------------------------------------------------------- session life cycle

    /**
     * A session opened on a deployed endpoint: applies limits, and for a clustered one registers it.
     *
     * @return the state to keep with the session
     */
    SessionState opened(Session session, EndpointSpec spec) {
        sessions.add(session);
        SessionState state = SessionState.atOpen(session);
        // -1, not 0, for "no idle timeout": Tyrus re-arms a timer on every frame unless negative
        session.setMaxIdleTimeout(settings.inbound().idleTimeout().isZero() ? -1 : settings.inbound().idleTimeout().toMillis());
        session.setMaxTextMessageBufferSize(settings.inbound().maxTextMessageBytes());
        session.setMaxBinaryMessageBufferSize(settings.inbound().maxBinaryMessageBytes());
        LocalSession local = reservations.claim(state.reserved());
        if (status != ServerStatus.RUNNING) {
            if (local != null) {
                clustered.deregister(local);
            }
            state.refusal = new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "server is draining");
            return state;
        }
        if (!spec.clustered()) {
            return state;
        }
        if (local != null) {
            CloseReason decided = local.bind(session);
            state.local = local;
            session.getUserProperties().put(ClusterSession.USER_PROPERTY, local);
            if (decided != null) {
                state.refusal = decided;
                return state;
            }
            return joinInitialRooms(session, spec, state, local.info(), true);
        }
        try {
            local = newLocal(registrar.idAtOpen(session), spec, state.user(), session);
            clustered.add(local);
            try {
                registrar.open(local.id(), session, spec.path(), state.user());
            } catch (RuntimeException e) {
                clustered.discard(local);
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not register session {} on {} in the cluster: {}", session.getId(), spec.path(), e.toString());
            state.refusal = new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "cluster unavailable");
            return state;
        }
        state.local = local;
        session.getUserProperties().put(ClusterSession.USER_PROPERTY, local);
        return joinInitialRooms(session, spec, state, local.info(), false);
    }

    /**
     * Registers the session a handshake is about to open and makes it a member of its initial rooms,
     * so that it is reachable from the moment its client has the 101 (see the class notes). Called
     * from {@code modifyHandshake}, once the handshake is accepted. A join that fails leaves the
     * session to be closed with 1013 when it opens.
     *
     * @param rooms the rooms to join (valid names)
     * @return the new session's id, or null if it is left to {@link #opened} (the registrar registers
     *         sessions only when they open; a draining server refuses them there)
     */
    SessionId reserve(EndpointSpec spec, String user, List<String> rooms) {
        if (status != ServerStatus.RUNNING) {
            return null;
        }
        SessionId id = registrar.idAtHandshake();
        if (id == null) {
            return null;
        }
        LocalSession local = newLocal(id, spec, user, null);
        clustered.add(local);
        reservations.add(local);
        try {
            registrar.open(id, null, spec.path(), user);
        } catch (RuntimeException e) {
            // opened() tries again and refuses the session with 1013 if the cluster is still unavailable
            reservations.remove(id);
            clustered.discard(local);
            LOG.debug("Could not register session {} during its handshake: {}", id, e.toString());
            return null;
        }
        CloseReason failed = join(id, rooms);
        if (failed != null) {
            local.closeWhenBound(failed);
        }
        return id;
    }

    /** @param session the open session, or null for one registered during its handshake */
    private LocalSession newLocal(SessionId id, EndpointSpec spec, String user, Session session) {
        Outbound outbound = new Outbound(session == null ? null : SessionSocket.of(session), settings.outbound().maxQueuedMessages(), settings.outbound().maxQueuedBytes(), counters);
        TokenBucket bucket = settings.inbound().rateLimitPerSecond() > 0
                ? TokenBucket.of(settings.inbound().rateLimitPerSecond(), settings.inbound().rateLimitBurst()) : null;
        return new LocalSession(this, new SessionInfo(id, spec.path(), user, Set.of(), Map.of(), Instant.now()),
                session, outbound, bucket);
    }

    /**
     * The session's initial rooms (see {@code GuardConfigurator#initialRooms}): an invalid room path
     * parameter closes it with 1008; rooms not joined during the handshake (no reservation: a Tyrus
     * cluster context, or the cluster was unavailable then) are joined now, after the 101.
     */
    private SessionState joinInitialRooms(Session session, EndpointSpec spec, SessionState state, SessionInfo info,
                                          boolean joinedAtHandshake) {
        if (!spec.roomPathParam().isEmpty() && !Names.isValidRoom(session.getPathParameters().get(spec.roomPathParam()))) {
            state.refusal = new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "invalid room name");
            return state;
        }
        if (!joinedAtHandshake) {
            state.refusal = join(info.id(), state.rooms());
        }
        return state;
    }

    /**
     * Joins rooms and waits for them, at most the drain timeout.
     *
     * @return null if every join completed, else the close to give the session
     */
    private CloseReason join(SessionId id, List<String> rooms) {
        if (rooms.isEmpty()) {
            return null;
        }
        CompletableFuture<?>[] joins = new CompletableFuture<?>[rooms.size()];
        for (int i = 0; i < joins.length; i++) {
            joins[i] = settings.cluster().rooms().join(id, rooms.get(i)).toCompletableFuture();
        }
        try {
            CompletableFuture.allOf(joins).get(settings.drainTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "interrupted");
        } catch (Exception e) {
            LOG.warn("Session {} could not join its rooms {}: {}", id, rooms, e.toString());
            return new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "cluster unavailable");
        }
    }

    /** A session closed (or failed to open): deregisters it once and forgets it. */
    void closed(Session session) {
        SessionState state = SessionState.of(session);
        if (state != null && state.local != null) {
            clustered.deregister(state.local);
        }
        sessions.remove(session);
        if (sessions.isEmpty()) {
            synchronized (emptyLock) {
                emptyLock.notifyAll();
            }
        }
    }

    void rateLimited(LocalSession local) {
        if (warnedRateLimit.compareAndSet(false, true)) {
            LOG.warn("Session {} exceeded its inbound rate limit ({}/s, burst {}); further cases are logged at debug",
                    local.id(), settings.inbound().rateLimitPerSecond(), settings.inbound().rateLimitBurst());
        } else {
            LOG.debug("Session {} exceeded its inbound rate limit", local.id());
        }
        try {
            settings.onRateLimited().accept(local);
        } catch (RuntimeException e) {
            LOG.warn("Rate-limit callback failed for session {}", local.id(), e);
        }
    }

    void closeAsync(Session session, CloseReason reason) {
        closer.closeAsync(session, reason);
    }

    // ---------------------------------------------------------------- LocalDelivery

    @Override
    public void deliver(Collection<SessionId> ids, Message message) {
        clustered.deliver(ids, message);
    }

    @Override
    public void close(SessionId id, CloseCode code) {
        clustered.close(id, code);
    }

    // ---------------------------------------------------------------- drain

    /** Closes every session with 1001, asynchronously. */
    void closeAllGoingAway() {
        CloseReason reason = new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "server is draining");
        for (Session s : sessions) {
            closer.closeAsync(s, reason);
        }
    }

    /**
     * Waits until no session is open, or the deadline.
     *
     * @return true if none is open
     */
    boolean awaitNoSessions(long deadlineNanos) throws InterruptedException {
        synchronized (emptyLock) {
            while (!sessions.isEmpty()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(emptyLock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            return true;
        }
    }

    /** Deregisters every clustered session still known, whatever its socket does. */
    void deregisterAll() {
        clustered.deregisterAll();
    }

    void shutdownExecutor() {
        closer.shutdown();
        reservations.shutdown();
    }

    /** @return the number of open sessions */
    public int sessionCount() {
        return sessions.size();
    }

    /** @return a snapshot of the counters */
    public ServerStats stats() {
        return new ServerStats(sessions.size(), counters.queued.sum(), counters.sent.sum(), counters.dropped.sum(),
                counters.slowConsumerCloses.sum(), counters.refusedOverCapacity.sum(), counters.refusedDraining.sum(),
                counters.refusedHandshakes.sum(), counters.oversizedMessages.sum());
    }
}
