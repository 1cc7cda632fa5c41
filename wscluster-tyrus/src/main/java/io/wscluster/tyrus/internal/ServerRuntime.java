package io.wscluster.tyrus.internal;

import io.wscluster.CloseCode;
import io.wscluster.ClusterSession;
import io.wscluster.Message;
import io.wscluster.Names;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.spi.SessionHost;
import io.wscluster.tyrus.OverflowPolicy;
import io.wscluster.tyrus.ServerStats;
import io.wscluster.tyrus.ServerStatus;
import io.wscluster.tyrus.TokenBucket;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state of one server: its sessions, their cluster registrations and outbound queues, the
 * connection cap, counters and status. Implements the cluster's {@link LocalDelivery}.
 *
 * <p>Design notes. Every session of every endpoint deployed by the server is tracked (for drain
 * and the connection count); sessions of {@code @Clustered} endpoints (of every endpoint, when a
 * {@code TyrusClusterContext} is installed) are also registered through the {@link SessionHost}
 * before the application's {@code @OnOpen}, and deregistered exactly once, by whichever comes first:
 * the socket's close, or a close decided here (slow consumer, drain). A session is put where
 * {@link #deliver} finds it before it is registered, so nothing sent to it right after its
 * registration is lost.
 *
 * <p>Registration during the handshake. A client counts as connected when it has the 101, but Tyrus
 * writes the 101 before it opens the session. So a session of a {@code @Clustered} endpoint is
 * registered in {@code modifyHandshake} ({@link #reserve}), and made a member of its initial rooms
 * (fixed, resolved, path parameter) there too, with an outbound queue that holds what
 * arrives (within its bounds) until {@link #opened} binds the socket; a close decided meanwhile
 * (overflow, kick) applies at that moment. A reservation that no session claims within
 * {@link #RESERVATION_TIMEOUT} (the upgrade failed after the handshake check, the client vanished)
 * is deregistered by a sweep. With a {@code TyrusClusterContext}, the session keeps the id Tyrus gave it and
 * the context registers it (with Tyrus's distributed properties as attributes) and deregisters it.
 * Socket closes decided here, and the cluster-side deregistration of a slow consumer, run on a small
 * executor, never on the cluster's fan-out thread.
 */
public final class ServerRuntime implements LocalDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(ServerRuntime.class);
    /** How long a session registered during its handshake waits for its socket before it is deregistered. */
    static final java.time.Duration RESERVATION_TIMEOUT = java.time.Duration.ofSeconds(30);

    private final Settings settings;
    private final Counters counters = new Counters();
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final ConcurrentMap<SessionId, LocalSession> clustered = new ConcurrentHashMap<>();
    /** Sessions registered during their handshake and not yet opened. */
    private final ConcurrentMap<SessionId, Reservation> reserved = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService sweeper;
    private final java.time.Duration reservationTimeout;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicBoolean warnedSlowConsumer = new AtomicBoolean();
    private final AtomicBoolean warnedRateLimit = new AtomicBoolean();
    private final ExecutorService closer;
    private final Object emptyLock = new Object();
    private volatile ServerStatus status = ServerStatus.STARTING;
    private final SessionRegistrar registrar;

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
    ServerRuntime(Settings settings, SessionRegistrar registrar, java.time.Duration reservationTimeout) {
        this.settings = settings;
        this.reservationTimeout = reservationTimeout;
        this.registrar = registrar;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "wscluster-close-" + settings.port());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.closer = pool;
        this.sweeper = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wscluster-reservations-" + settings.port());
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, reservationTimeout.toMillis() / 4);
        sweeper.scheduleWithFixedDelay(this::sweepReservations, period, period, TimeUnit.MILLISECONDS);
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
            if (n >= settings.maxConnections()) {
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
        Set<String> allowed = settings.allowedOrigins();
        if (allowed.isEmpty() || origin == null) {
            return true;
        }
        return allowed.contains(origin.toLowerCase(java.util.Locale.ROOT));
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
        session.setMaxIdleTimeout(settings.idleTimeout().isZero() ? -1 : settings.idleTimeout().toMillis());
        session.setMaxTextMessageBufferSize(settings.maxTextMessageBytes());
        session.setMaxBinaryMessageBufferSize(settings.maxBinaryMessageBytes());
        if (status != ServerStatus.RUNNING) {
            LocalSession reservedEarlier = claim(state);
            if (reservedEarlier != null) {
                deregister(reservedEarlier);
            }
            state.refusal = new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "server is draining");
            return state;
        }
        if (!spec.clustered()) {
            return state;
        }
        String user = state.user();
        LocalSession local = claim(state);
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
            SessionId id = registrar.idAtOpen(session);
            Outbound outbound = new Outbound(session.getAsyncRemote(), settings.maxQueuedMessages(),
                    settings.maxQueuedBytes(), counters);
            TokenBucket bucket = settings.rateLimitPerSecond() > 0
                    ? TokenBucket.of(settings.rateLimitPerSecond(), settings.rateLimitBurst()) : null;
            local = new LocalSession(this, new SessionInfo(id, spec.path(), user, Set.of(), Map.of(), Instant.now()),
                    session, outbound, bucket);
            clustered.put(id, local);
            try {
                registrar.open(id, session, spec.path(), user);
            } catch (RuntimeException e) {
                clustered.remove(id, local);
                outbound.close();
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
        Outbound outbound = new Outbound((Outbound.Socket) null, settings.maxQueuedMessages(), settings.maxQueuedBytes(), counters);
        TokenBucket bucket = settings.rateLimitPerSecond() > 0
                ? TokenBucket.of(settings.rateLimitPerSecond(), settings.rateLimitBurst()) : null;
        LocalSession local = new LocalSession(this, new SessionInfo(id, spec.path(), user, Set.of(), Map.of(), Instant.now()),
                null, outbound, bucket);
        clustered.put(id, local);
        reserved.put(id, new Reservation(local, System.nanoTime()));
        try {
            registrar.open(id, null, spec.path(), user);
        } catch (RuntimeException e) {
            // opened() tries again and refuses the session with 1013 if the cluster is still unavailable
            reserved.remove(id);
            clustered.remove(id, local);
            outbound.close();
            LOG.debug("Could not register session {} during its handshake: {}", id, e.toString());
            return null;
        }
        CloseReason failed = join(id, rooms);
        if (failed != null) {
            local.closeWhenBound(failed);
        }
        return id;
    }

    /**
     * @return the session registered during this session's handshake, now claimed (possibly already
     *         deregistered and to be closed), or null if there is none or it was swept
     */
    private LocalSession claim(SessionState state) {
        SessionId id = state.reserved();
        Reservation reservation = id == null ? null : reserved.remove(id);
        return reservation == null ? null : reservation.local();
    }

    private void sweepReservations() {
        long now = System.nanoTime();
        reserved.forEach((id, reservation) -> {
            if (now - reservation.sinceNanos() > reservationTimeout.toNanos() && reserved.remove(id, reservation)) {
                LOG.debug("Session {} was registered during its handshake but never opened; deregistering it", id);
                deregister(reservation.local());
            }
        });
    }

    private record Reservation(LocalSession local, long sinceNanos) {
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
            deregister(state.local);
        }
        sessions.remove(session);
        if (sessions.isEmpty()) {
            synchronized (emptyLock) {
                emptyLock.notifyAll();
            }
        }
    }

    private void deregister(LocalSession local) {
        if (!local.markDeregistered()) {
            return;
        }
        local.outbound().close();
        clustered.remove(local.id(), local);
        removeFromCluster(local);
    }

    /**
     * Deregisters at once locally (no more messages are queued for the session) and in the cluster
     * on the close executor: the caller is a fan-out thread, which a slow consumer must not block.
     */
    private void deregisterSoon(LocalSession local) {
        if (!local.markDeregistered()) {
            return;
        }
        local.outbound().close();
        clustered.remove(local.id(), local);
        try {
            closer.execute(() -> removeFromCluster(local));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            removeFromCluster(local);
        }
    }

    private void removeFromCluster(LocalSession local) {
        try {
            registrar.closed(local.id());
        } catch (RuntimeException e) {
            LOG.debug("Deregistering session {} failed: {}", local.id(), e.toString());
        }
    }

    // ---------------------------------------------------------------- LocalDelivery

    @Override
    public void deliver(Collection<SessionId> ids, Message message) {
        for (SessionId id : ids) {
            LocalSession local = clustered.get(id);
            if (local == null) {
                continue;
            }
            Outbound.Offer result = local.outbound().offer(message);
            if (result == Outbound.Offer.FULL) {
                overflow(local);
            } else if (result == Outbound.Offer.CLOSED) {
                counters.dropped.increment();
                local.countDropped();
            }
        }
    }

    @Override
    public void close(SessionId id, CloseCode code) {
        LocalSession local = clustered.get(id);
        if (local != null) {
            closeSession(local, toReason(code));
        }
    }

    private void overflow(LocalSession local) {
        counters.dropped.increment();
        local.countDropped();
        boolean first = warnedSlowConsumer.compareAndSet(false, true);
        if (settings.overflowPolicy() == OverflowPolicy.DROP_NEWEST) {
            log(first, local, "dropping messages (policy DROP_NEWEST)");
            return;
        }
        if (local.markClosing()) {
            counters.slowConsumerCloses.increment();
            log(first, local, "closing it (policy CLOSE)");
            deregisterSoon(local);
            closeSession(local, new CloseReason(
                    CloseReason.CloseCodes.getCloseCode(settings.overflowCloseCode()), "outbound queue full"));
        }
    }

    private void log(boolean warn, LocalSession local, String action) {
        if (!warn && !LOG.isDebugEnabled()) {
            return;
        }
        Outbound.Backlog b = local.outbound().lastRefusal();
        String format = "Outbound queue of session {} is full: it holds {} message(s) / {} bytes behind the one in"
                + " flight (bounds {} messages / {} bytes) and refused one of {} bytes; {}"
                + (warn ? "; further slow consumers are logged at debug" : "");
        Object[] args = {local.id(), b == null ? 0 : b.messages(), b == null ? 0 : b.bytes(),
                settings.maxQueuedMessages(), settings.maxQueuedBytes(), b == null ? 0 : b.messageBytes(), action};
        if (warn) {
            LOG.warn(format, args);
        } else {
            LOG.debug(format, args);
        }
    }

    void rateLimited(LocalSession local) {
        if (warnedRateLimit.compareAndSet(false, true)) {
            LOG.warn("Session {} exceeded its inbound rate limit ({}/s, burst {}); further cases are logged at debug",
                    local.id(), settings.rateLimitPerSecond(), settings.rateLimitBurst());
        } else {
            LOG.debug("Session {} exceeded its inbound rate limit", local.id());
        }
        try {
            settings.onRateLimited().accept(local);
        } catch (RuntimeException e) {
            LOG.warn("Rate-limit callback failed for session {}", local.id(), e);
        }
    }

    /** Closes a session's socket, or, for one still in its handshake, has it closed when it opens. */
    private void closeSession(LocalSession local, CloseReason reason) {
        Session session = local.session();
        if (session == null) {
            local.closeWhenBound(reason);
            session = local.session(); // bound meanwhile: bind() may have missed the reason
            if (session == null) {
                return;
            }
        }
        closeAsync(session, reason);
    }

    void closeAsync(Session session, CloseReason reason) {
        try {
            closer.execute(() -> closeNow(session, reason));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            closeNow(session, reason);
        }
    }

    private static void closeNow(Session session, CloseReason reason) {
        try {
            if (session.isOpen()) {
                session.close(reason);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing session {} failed: {}", session.getId(), e.toString());
        }
    }

    static CloseReason toReason(CloseCode code) {
        return new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()), code.reason());
    }


    // ---------------------------------------------------------------- drain

    /** Closes every session with 1001, asynchronously. */
    void closeAllGoingAway() {
        CloseReason reason = new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "server is draining");
        for (Session s : sessions) {
            closeAsync(s, reason);
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
        List<LocalSession> all = new ArrayList<>(clustered.values());
        for (LocalSession local : all) {
            deregister(local);
        }
    }

    void shutdownExecutor() {
        closer.shutdownNow();
        sweeper.shutdownNow();
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
