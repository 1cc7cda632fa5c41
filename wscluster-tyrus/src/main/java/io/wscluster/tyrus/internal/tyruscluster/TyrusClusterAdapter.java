package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.Cluster;
import io.wscluster.Message;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.event.Subscription;
import io.wscluster.spi.SessionHost;
import io.wscluster.tyrus.OverflowPolicy;
import io.wscluster.tyrus.OutboundSettings;
import io.wscluster.tyrus.internal.SessionRegistrar;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import org.glassfish.tyrus.core.cluster.BroadcastListener;
import org.glassfish.tyrus.core.cluster.RemoteSession.DistributedMapKey;
import org.glassfish.tyrus.core.cluster.SessionEventListener;
import org.glassfish.tyrus.core.cluster.SessionListener;
import org.glassfish.tyrus.core.monitoring.ApplicationEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Tyrus's cluster SPI on the wscluster API: what {@code TyrusClusterContext} delegates to. A small
 * facade over one class per job: {@link BoundNode} (the node, the threads, active or not),
 * {@link LocalSessions} (sessions Tyrus creates here, and their registration in the cluster),
 * {@link RemoteSessions} (sessions on other nodes, from the session events and the path rooms),
 * {@link ClusterSends} (sends, broadcasts and closes through the cluster) and, standalone,
 * {@link ListenerDelivery} (writes to sessions through Tyrus's listeners).
 *
 * <p>Ids: a Tyrus session id is the wscluster {@link SessionId} drawn by {@link SessionHost#newId()},
 * so a send to it is routed to its owner in one hop with no lookup.
 */
public final class TyrusClusterAdapter {

    /** How a context is tied to its node's server. */
    public enum Mode {
        /** A {@code WsServer} attaches to the cluster and registers sessions before their endpoint opens. */
        SERVER,
        /** The context attaches to the cluster itself and writes through Tyrus's session event listeners. */
        STANDALONE
    }

    /**
     * Timings of the background work.
     *
     * @param pendingTimeout   a session Tyrus created but never admitted is dropped after this
     * @param closingTimeout   (standalone) a session that exchanged a close frame and is still there is deregistered after this
     * @param refresh          remote session properties older than this are re-read from the registry
     * @param catchUp          delay of the second look at sessions of a path after its deployment; for ten
     *                         times this after binding, remote sessions of every path are kept (start-up)
     * @param tombstone        how long a remote session that closed is remembered as closed
     * @param sweep            period of the sweep that applies the timeouts
     */
    public record Timings(Duration pendingTimeout, Duration closingTimeout, Duration refresh, Duration catchUp,
                          Duration tombstone, Duration sweep) {

        /** The defaults: 30 s, 10 s, 1 s, 1 s, 60 s, 2 s. */
        public static final Timings DEFAULT = new Timings(Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(2));
    }

    /** Largest message reassembled from parts: 4 MiB (characters for text). */
    public static final int MAX_PARTIAL_MESSAGE_SIZE = 4 * 1024 * 1024;
    /**
     * Standalone mode: most writes waiting per session before new ones are dropped (policy
     * {@link OverflowPolicy#DROP_NEWEST}): a server's default, {@link OutboundSettings#DEFAULT_MAX_QUEUED_MESSAGES}.
     */
    public static final int STANDALONE_MAX_QUEUED_MESSAGES = OutboundSettings.DEFAULT_MAX_QUEUED_MESSAGES;
    /** Standalone mode: most bytes waiting per session: a server's default, {@link OutboundSettings#DEFAULT_MAX_QUEUED_BYTES}. */
    public static final long STANDALONE_MAX_QUEUED_BYTES = OutboundSettings.DEFAULT_MAX_QUEUED_BYTES;
    /** Standalone mode: threads that run the blocking writes of all sessions. */
    public static final int STANDALONE_WRITERS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(TyrusClusterAdapter.class);

    private final Mode mode;
    private final Timings timings;
    private final BoundNode node = new BoundNode();
    private final UserProperties userProperties = new UserProperties();
    private final PartialMessages partials = new PartialMessages(MAX_PARTIAL_MESSAGE_SIZE);
    private final LocalSessions locals;
    private final RemoteSessions remotes;
    private final ClusterSends sends;
    private final SessionMonitor monitor;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private volatile ListenerDelivery delivery;

    /**
     * Creates an unbound adapter.
     *
     * @param mode    how it will be bound
     * @param timings timings of the background work
     */
    public TyrusClusterAdapter(Mode mode, Timings timings) {
        this.mode = mode;
        this.timings = timings;
        this.locals = new LocalSessions(node, mode, timings, userProperties);
        this.remotes = new RemoteSessions(node, timings, userProperties, partials);
        this.sends = new ClusterSends(node, partials);
        this.monitor = new SessionMonitor(locals);
    }

    /** @return how this adapter is bound */
    public Mode mode() {
        return mode;
    }

    // ---------------------------------------------------------------- binding

    /**
     * Binds to the node whose server already attached (server mode).
     *
     * @param cluster the node's cluster
     * @param host    the session host the server got from {@link Cluster#attachServer}
     */
    public void bind(Cluster cluster, SessionHost host) {
        if (mode != Mode.SERVER) {
            throw new IllegalStateException("a standalone TyrusClusterContext attaches itself; it cannot be bound to a server");
        }
        start(cluster, host);
    }

    /**
     * Attaches to the cluster as the node's server (standalone mode).
     *
     * @param cluster the cluster
     */
    public void attach(Cluster cluster) {
        if (mode != Mode.STANDALONE) {
            throw new IllegalStateException("only a standalone TyrusClusterContext attaches itself");
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(STANDALONE_WRITERS, STANDALONE_WRITERS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), BoundNode.threads("wscluster-tyrus-write-" + cluster.localNode()));
        pool.allowCoreThreadTimeOut(true);
        node.writers(pool);
        ListenerDelivery listenerDelivery = new ListenerDelivery(locals, node);
        SessionHost attached;
        try {
            attached = cluster.attachServer(listenerDelivery);
        } catch (RuntimeException e) {
            pool.shutdownNow();
            throw e;
        }
        delivery = listenerDelivery;
        start(cluster, attached);
    }

    private void start(Cluster cluster, SessionHost host) {
        node.bind(cluster, host);
        subscriptions.add(cluster.events().onSessionOpened(e -> node.dispatch(() -> remotes.remoteOpened(e.session()))));
        subscriptions.add(cluster.events().onSessionClosed(e -> node.dispatch(() -> remotes.remoteClosed(e.session()))));
        long sweep = timings.sweep().toMillis();
        node.dispatcher().scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        LOG.debug("Tyrus cluster context bound to node {} ({} mode)", node.me(), mode);
    }

    /** @return how a {@code WsServer} bound to this adapter registers its sessions (server mode) */
    public SessionRegistrar registrar() {
        return new TyrusSessionRegistrar(this);
    }

    /** @return the monitoring hook to install next to the context (standalone mode) */
    public ApplicationEventListener monitor() {
        return monitor;
    }

    // ---------------------------------------------------------------- ids and properties

    /** @return {@code ClusterContext.createSessionId()} */
    public String createSessionId() {
        node.requireActive();
        return node.host().newId().value();
    }

    /** @return {@code ClusterContext.createConnectionId()} */
    public String createConnectionId() {
        node.requireActive();
        return userProperties.mint();
    }

    /** {@code getDistributedSessionProperties}: a local session's write-through map, or a remote one's read-only view. */
    public Map<DistributedMapKey, Object> getDistributedSessionProperties(String sessionId) {
        node.requireActive();
        SessionId id = BoundNode.parse(sessionId);
        if (id != null && id.isOwnedBy(node.me())) {
            return locals.properties(id);
        }
        Map<DistributedMapKey, Object> remote = id == null ? null : remotes.properties(id);
        return remote != null ? remote : Collections.unmodifiableMap(PropertyCodec.decode(sessionId, Map.of()));
    }

    /** {@code getDistributedUserProperties}: node-local maps (see {@link UserProperties}). */
    public Map<String, Object> getDistributedUserProperties(String connectionId) {
        node.requireActive();
        return locals.userProperties(connectionId);
    }

    // ---------------------------------------------------------------- local sessions

    /** {@code registerSession}: see {@link LocalSessions}. */
    public void registerSession(String sessionId, String endpointPath, SessionEventListener listener) {
        node.requireActive();
        locals.register(sessionId, endpointPath, listener);
    }

    /**
     * The wscluster id of a session Tyrus registered with this context (server mode).
     *
     * @param tyrusSessionId the Tyrus session id
     * @return the id
     * @throws IllegalStateException if Tyrus did not register it here
     */
    public SessionId idOf(String tyrusSessionId) {
        return locals.idOf(tyrusSessionId);
    }

    /**
     * Registers an admitted session in the cluster (server mode: called right before its endpoint opens).
     *
     * @param tyrusSessionId the Tyrus session id
     * @param user           its user, or null
     * @param requestUri     the URI the session itself reports (Tyrus 2.2.2 makes the relative URI it
     *                       put into the properties absolute with the server's address), published in
     *                       place of the relative one so that a remote view reports the same; or null
     * @return the registration
     * @throws IllegalStateException if the session is unknown or closed already
     * @throws RuntimeException      if the cluster refused it
     */
    public SessionInfo open(String tyrusSessionId, String user, URI requestUri) {
        node.requireActive();
        return locals.open(tyrusSessionId, user, requestUri);
    }

    /**
     * A local session closed: deregisters it once, whoever calls first (the server, Tyrus's
     * {@code removeSession}, a sweep). Idempotent.
     *
     * @param sessionId the session id
     */
    public void closed(String sessionId) {
        locals.closed(sessionId);
    }

    // ---------------------------------------------------------------- remote sessions

    /** {@code registerSessionListener}: told of sessions opened and closed on other nodes. */
    public void registerSessionListener(String endpointPath, SessionListener listener) {
        node.requireActive();
        remotes.addSessionListener(endpointPath, listener);
    }

    /** {@code registerBroadcastListener}: kept, not called; broadcasts are written per session. */
    public void registerBroadcastListener(String endpointPath, BroadcastListener listener) {
        node.requireActive();
        remotes.addBroadcastListener(endpointPath, listener);
    }

    /** {@code getRemoteSessionIds}: sessions of the path on other nodes (see {@link RemoteSessions}). */
    public Set<String> getRemoteSessionIds(String endpointPath) {
        node.requireActive();
        return remotes.ids(endpointPath);
    }

    /** {@code isSessionOpen}: a local session by its state, a remote one by the events seen or the registry. */
    public boolean isSessionOpen(String sessionId, String endpointPath) {
        SessionId id = BoundNode.parse(sessionId);
        if (id == null || !node.isActive()) {
            return false;
        }
        return id.isOwnedBy(node.me()) ? locals.isOpen(sessionId) : remotes.isOpen(id, endpointPath);
    }

    // ---------------------------------------------------------------- sending

    /** Sends a whole message to a session anywhere; completes when its owner queued it. */
    public CompletableFuture<Void> send(String sessionId, Message message) {
        return sends.send(sessionId, message);
    }

    /** Sends a part of a text message; the last part sends the whole. */
    public CompletableFuture<Void> sendPartialText(String sessionId, String text, boolean last) {
        return sends.sendPartialText(sessionId, text, last);
    }

    /** Sends a part of a binary message; the last part sends the whole. */
    public CompletableFuture<Void> sendPartialBinary(String sessionId, byte[] data, boolean last) {
        return sends.sendPartialBinary(sessionId, data, last);
    }

    /** Sends and reports to the handler, exactly once, on a thread of ours. */
    public void send(String sessionId, Message message, SendHandler handler) {
        sends.send(sessionId, message, handler);
    }

    /** A ping or pong to a remote session: ignored, as the API carries no control frames. */
    public CompletableFuture<Void> controlFrame(String sessionId, String kind) {
        return sends.controlFrame(sessionId, kind);
    }

    /** {@code broadcastText/Binary}: once to every session of the path on every node (see {@link ClusterSends}). */
    public void broadcast(String endpointPath, Message message) {
        node.requireActive();
        sends.broadcast(endpointPath, message);
    }

    /** {@code close}: closes a session anywhere; completes when its owner started closing it. */
    public CompletableFuture<Void> close(String sessionId, CloseReason reason) {
        return sends.close(sessionId, reason);
    }

    // ---------------------------------------------------------------- shutdown and sweeps

    /**
     * {@code ClusterContext.shutdown}: deregisters the local sessions still registered, stops listening
     * and stops the threads. The cluster itself is left running (its owner closes it). Idempotent.
     */
    public void shutdown() {
        if (!node.markShut()) {
            return;
        }
        for (Subscription s : subscriptions) {
            s.close();
        }
        subscriptions.clear();
        if (node.isBound()) {
            locals.closeAll();
        }
        remotes.clear();
        userProperties.clear();
        partials.clear();
        node.stopThreads();
        if (node.isBound()) {
            LOG.debug("Tyrus cluster context of node {} shut down", node.me());
        }
    }

    /** @return true once {@link #shutdown()} was called */
    public boolean isShutdown() {
        return node.isShut();
    }

    /** @return local sessions Tyrus created here and that are not closed (registered or not) */
    public int localEntries() {
        return locals.size();
    }

    /** @return remote sessions this node knows as open */
    public int remoteSessions() {
        return remotes.size();
    }

    /** @return connection-id maps of user properties held on this node */
    public int userPropertyMaps() {
        return userProperties.size();
    }

    /** @return writes dropped because a session's standalone write queue was full */
    public long standaloneDropped() {
        ListenerDelivery d = delivery;
        return d == null ? 0 : d.dropped();
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            locals.sweep(now);
            remotes.sweep(now);
            long pending = timings.pendingTimeout().toNanos();
            userProperties.expire(pending);
            partials.expire(Math.max(pending, timings.tombstone().toNanos()));
        } catch (RuntimeException e) {
            LOG.warn("Tyrus cluster context sweep failed", e);
        }
    }

    /**
     * The room every session of an endpoint path joins (see {@link RemoteSessions}).
     *
     * @param path the endpoint path
     * @return the room name
     */
    public static String pathRoom(String path) {
        return RemoteSessions.pathRoom(path);
    }
}
