package io.wscluster.tyrus.internal;

import io.wscluster.CloseCode;
import io.wscluster.Cluster;
import io.wscluster.ClusterException;
import io.wscluster.Delivery;
import io.wscluster.Message;
import io.wscluster.Names;
import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.event.Subscription;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.spi.SessionHost;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.glassfish.tyrus.core.cluster.BroadcastListener;
import org.glassfish.tyrus.core.cluster.RemoteSession.DistributedMapKey;
import org.glassfish.tyrus.core.cluster.SessionEventListener;
import org.glassfish.tyrus.core.cluster.SessionListener;
import org.glassfish.tyrus.core.monitoring.ApplicationEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The machinery behind {@code TyrusClusterContext}: Tyrus's cluster SPI on the wscluster API.
 *
 * <p>Design notes.
 * <ul>
 * <li><b>Ids.</b> A Tyrus session id is the wscluster {@link SessionId} drawn by
 * {@link SessionHost#newId()}, so a send to it is routed to its owner in one hop with no lookup.</li>
 * <li><b>Registration.</b> Tyrus creates a session, fills its distributed properties and calls
 * {@code registerSession} before it checks its limits and before the endpoint exists. A session is
 * registered in the cluster ({@link SessionHost#open(SessionId, String, String, Map)}, with its
 * properties as attributes, so the opened event every node sees already carries them) only once it
 * is really admitted: by the server, right before the endpoint's {@code onOpen} (server mode), or by
 * Tyrus's monitoring hook (standalone mode with {@link #monitor()} installed). An entry never
 * admitted is dropped after a timeout; one that exchanged a close frame and was not removed
 * (standalone) is deregistered after a grace period. {@link SessionHost#closed} runs exactly once, by
 * whichever of the server's close, Tyrus's {@code removeSession} or a sweep comes first.</li>
 * <li><b>Remote sessions.</b> Every node tells its Tyrus endpoint wrappers about sessions opened and
 * closed on other nodes from the cluster's session events, handed to one thread of ours in event
 * order (never a Hazelcast thread). A node that starts after sessions were opened elsewhere learns
 * those from the registry: each session joins a room named after its endpoint path
 * ({@link #pathRoom}), the only cluster-wide group query the API has. A second look one catch-up
 * interval after deployment closes the race with sessions opening or closing meanwhile.</li>
 * <li><b>Sends</b> to a remote session are {@code Target.session} messages; a partial message is
 * reassembled on the sending node and sent whole. The send future completes when the owner queued
 * the message for its socket, or fails with an {@link IOException} if the session is not open; its
 * callbacks run on a small pool of ours. Per-session order is the messenger's per-sender order.</li>
 * <li><b>Broadcasts</b> are {@code Target.endpoint(path)} messages: every node, the sender's included,
 * writes them once to each of its sessions on the path, through the same queues as other messages
 * (the server's bounded outbound queues in server mode), rather than through Tyrus's unbounded
 * local broadcast.</li>
 * </ul>
 */
public final class TyrusClusterCore {

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
    /** Standalone mode: most writes waiting per session before new ones are dropped. */
    public static final int STANDALONE_MAX_QUEUED = 1_024;
    /** Standalone mode: threads that run the blocking writes of all sessions. */
    public static final int STANDALONE_WRITERS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(TyrusClusterCore.class);
    private static final ThreadLocal<LocalEntry> CREATING = new ThreadLocal<>();
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
    private static final String ROOM_PREFIX = "tyrus.";

    private final Mode mode;
    private final Timings timings;
    private final AtomicBoolean bound = new AtomicBoolean();
    private final AtomicBoolean shut = new AtomicBoolean();
    private final ConcurrentMap<String, LocalEntry> locals = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, RemoteProperties> remotes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Long> tombstones = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, List<SessionListener>> sessionListeners = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, List<BroadcastListener>> broadcastListeners = new ConcurrentHashMap<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final UserProperties userProperties = new UserProperties();
    private final PartialMessages partials = new PartialMessages(MAX_PARTIAL_MESSAGE_SIZE);
    private final SessionMonitor monitor = new SessionMonitor(this);
    private final AtomicBoolean warnedPing = new AtomicBoolean();
    private final AtomicBoolean warnedUnmonitored = new AtomicBoolean();
    private final AtomicBoolean warnedStandaloneDrop = new AtomicBoolean();
    private final AtomicLong standaloneDropped = new AtomicLong();
    private final Executor callbackExecutor = this::runCallback;
    private volatile boolean monitored;
    private volatile long boundAt;
    private volatile Cluster cluster;
    private volatile NodeId me;
    private volatile SessionHost host;
    private volatile ScheduledExecutorService dispatcher;
    private volatile ExecutorService callbacks;
    private volatile ExecutorService writers;

    /**
     * Creates an unbound core.
     *
     * @param mode    how it will be bound
     * @param timings timings of the background work
     */
    public TyrusClusterCore(Mode mode, Timings timings) {
        this.mode = mode;
        this.timings = timings;
    }

    /** @return how this core is bound */
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
                new LinkedBlockingQueue<>(), threads("wscluster-tyrus-write-" + cluster.localNode()));
        pool.allowCoreThreadTimeOut(true);
        writers = pool;
        SessionHost attached;
        try {
            attached = cluster.attachServer(new ListenerDelivery());
        } catch (RuntimeException e) {
            pool.shutdownNow();
            throw e;
        }
        start(cluster, attached);
    }

    private void start(Cluster cluster, SessionHost host) {
        if (!bound.compareAndSet(false, true)) {
            throw new IllegalStateException("TyrusClusterContext is already bound to node '" + me
                    + "'; use one context per server");
        }
        this.cluster = cluster;
        this.me = cluster.localNode();
        this.host = host;
        this.boundAt = System.nanoTime();
        ScheduledThreadPoolExecutor events = new ScheduledThreadPoolExecutor(1, threads("wscluster-tyrus-" + me));
        events.setRemoveOnCancelPolicy(true);
        this.dispatcher = events;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads("wscluster-tyrus-callback-" + me));
        pool.allowCoreThreadTimeOut(true);
        this.callbacks = pool;
        subscriptions.add(cluster.events().onSessionOpened(e -> dispatch(() -> remoteOpened(e.session()))));
        subscriptions.add(cluster.events().onSessionClosed(e -> dispatch(() -> remoteClosed(e.session()))));
        long sweep = timings.sweep().toMillis();
        events.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        LOG.debug("Tyrus cluster context bound to node {} ({} mode)", me, mode);
    }

    /** @return the monitoring hook to install next to the context (standalone mode) */
    public ApplicationEventListener monitor() {
        return monitor;
    }

    // ---------------------------------------------------------------- ids

    /** @return {@code ClusterContext.createSessionId()} */
    public String createSessionId() {
        requireActive();
        return host.newId().value();
    }

    /** @return {@code ClusterContext.createConnectionId()} */
    public String createConnectionId() {
        requireActive();
        return userProperties.mint();
    }

    // ---------------------------------------------------------------- local sessions

    /**
     * {@code ClusterContext.getDistributedSessionProperties}: the write-through map of a local session
     * (created on first use, as Tyrus fills it before registering), or the read-only view of a remote one.
     *
     * @param sessionId a session id
     * @return its properties
     */
    public Map<DistributedMapKey, Object> getDistributedSessionProperties(String sessionId) {
        requireActive();
        SessionId id = parse(sessionId);
        if (id == null) {
            return Collections.unmodifiableMap(PropertyCodec.decode(sessionId, Map.of()));
        }
        if (id.isOwnedBy(me)) {
            LocalEntry[] created = new LocalEntry[1];
            LocalEntry entry = locals.computeIfAbsent(sessionId, k -> created[0] = new LocalEntry(id));
            if (created[0] != null) {
                CREATING.set(entry);
            }
            return entry.properties;
        }
        RemoteProperties view = remotes.get(sessionId);
        if (view != null) {
            return view;
        }
        try {
            Optional<SessionInfo> info = cluster.registry().session(id);
            if (info.isPresent()) {
                return new RemoteProperties(info.get(), cluster.registry(), timings.refresh().toNanos());
            }
        } catch (RuntimeException e) {
            LOG.debug("Could not read session {} from the registry: {}", id, e.toString());
        }
        return Collections.unmodifiableMap(PropertyCodec.decode(sessionId, Map.of()));
    }

    /**
     * {@code ClusterContext.getDistributedUserProperties}: node-local maps ({@link UserProperties}).
     *
     * @param connectionId a connection id
     * @return the map
     */
    public Map<String, Object> getDistributedUserProperties(String connectionId) {
        requireActive();
        LocalEntry creating = CREATING.get();
        if (creating != null && connectionId != null && connectionId.equals(creating.properties.connectionId())
                && creating.userBinding.compareAndSet(false, true)) {
            return userProperties.forNewSession(creating.id.value(), connectionId, (key, override) -> {
                creating.userKey = key;
                if (override != null) {
                    creating.properties.overrideConnectionId(override);
                }
            });
        }
        return userProperties.forConnection(connectionId);
    }

    /**
     * {@code ClusterContext.registerSession}: records the session's path and listener. In standalone
     * mode without the monitoring hook it also registers the session in the cluster at once.
     *
     * @param sessionId    the id from {@link #createSessionId()}
     * @param endpointPath the endpoint path
     * @param listener     writes to the session (used in standalone mode)
     */
    public void registerSession(String sessionId, String endpointPath, SessionEventListener listener) {
        requireActive();
        CREATING.remove();
        SessionId id = parse(sessionId);
        if (id == null || !id.isOwnedBy(me)) {
            throw new IllegalArgumentException("session id '" + sessionId + "' was not created by node '" + me + "'");
        }
        LocalEntry entry = locals.computeIfAbsent(sessionId, k -> new LocalEntry(id));
        synchronized (entry) {
            if (entry.state != LocalEntry.State.CREATED) {
                throw new IllegalStateException("session '" + sessionId + "' is already registered");
            }
            entry.path = endpointPath;
            entry.listener = listener;
            entry.state = LocalEntry.State.REGISTERED;
        }
        if (mode == Mode.STANDALONE) {
            entry.queue = new SerialQueue(writers, STANDALONE_MAX_QUEUED);
            if (!monitored) {
                if (warnedUnmonitored.compareAndSet(false, true)) {
                    LOG.warn("Tyrus's application event listener from TyrusClusterContext.serverProperties() is not"
                            + " installed: sessions are registered when Tyrus creates them, and one that Tyrus then"
                            + " refuses (session limits, endpoint instantiation) stays registered until this node leaves");
                }
                try {
                    open(entry, validUser(entry.properties.principalName()));
                } catch (RuntimeException e) {
                    closed(sessionId);
                    throw e;
                }
            }
        }
    }

    /**
     * The wscluster id of a session Tyrus registered with this context (server mode).
     *
     * @param tyrusSessionId the Tyrus session id
     * @return the id
     * @throws IllegalStateException if Tyrus did not register it here
     */
    public SessionId idOf(String tyrusSessionId) {
        LocalEntry entry = locals.get(tyrusSessionId);
        if (entry == null || entry.state == LocalEntry.State.CREATED) {
            throw new IllegalStateException("Tyrus session '" + tyrusSessionId
                    + "' was not registered through this node's TyrusClusterContext");
        }
        return entry.id;
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
        requireActive();
        LocalEntry entry = locals.get(tyrusSessionId);
        if (entry == null) {
            throw new IllegalStateException("Tyrus session '" + tyrusSessionId + "' is not known to this node's TyrusClusterContext");
        }
        if (requestUri != null && entry.state == LocalEntry.State.REGISTERED) {
            entry.properties.put(DistributedMapKey.REQUEST_URI, requestUri);
        }
        return open(entry, user);
    }

    private SessionInfo open(LocalEntry entry, String user) {
        SessionInfo info;
        synchronized (entry) {
            switch (entry.state) {
                case OPEN:
                    return entry.info;
                case CLOSED:
                    throw new IllegalStateException("session '" + entry.id + "' closed before it was registered");
                case CREATED:
                    throw new IllegalStateException("Tyrus did not register session '" + entry.id + "' with this context");
                default:
                    break;
            }
            info = entry.properties.publishWith(
                    attributes -> host.open(entry.id, entry.path, user, attributes),
                    attributes -> host.updateAttributes(entry.id, attributes));
            entry.info = info;
            entry.state = LocalEntry.State.OPEN;
        }
        joinPathRoom(entry);
        return info;
    }

    private void joinPathRoom(LocalEntry entry) {
        String room = pathRoom(entry.path);
        try {
            cluster.rooms().join(entry.id, room).toCompletableFuture().get(JOIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Session {} could not join room '{}' of endpoint {}: nodes that start later will not list it"
                    + " among their remote sessions ({})", entry.id, room, entry.path, e.toString());
        }
    }

    /**
     * A local session closed: deregisters it once, whoever calls first (the server, Tyrus's
     * {@code removeSession}, a sweep). Idempotent.
     *
     * @param sessionId the session id
     */
    public void closed(String sessionId) {
        LocalEntry entry = locals.remove(sessionId);
        if (entry == null) {
            return;
        }
        boolean wasOpen;
        synchronized (entry) {
            wasOpen = entry.state == LocalEntry.State.OPEN;
            entry.state = LocalEntry.State.CLOSED;
        }
        entry.properties.stopPublishing();
        userProperties.drop(entry.userKey);
        SerialQueue queue = entry.queue;
        if (queue != null) {
            queue.close();
        }
        if (wasOpen) {
            try {
                host.closed(entry.id);
            } catch (RuntimeException e) {
                LOG.debug("Deregistering session {} failed: {}", entry.id, e.toString());
            }
        }
    }

    /** Standalone: Tyrus admitted a session (its limits passed); registers it in the cluster. */
    void admitted(String sessionId) {
        LocalEntry entry = locals.get(sessionId);
        if (entry == null || shut.get()) {
            return;
        }
        try {
            open(entry, validUser(entry.properties.principalName()));
        } catch (RuntimeException e) {
            LOG.warn("Could not register session {} in the cluster; closing it with 1013: {}", sessionId, e.toString());
            SessionEventListener listener = entry.listener;
            closed(sessionId);
            if (listener != null) {
                writeLater(() -> {
                    try {
                        listener.onClose(new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "cluster unavailable"));
                    } catch (IOException | RuntimeException ex) {
                        LOG.debug("Closing session {} failed: {}", sessionId, ex.toString());
                    }
                });
            }
        }
    }

    /** Standalone: a session sent or received a close frame. */
    void closing(String sessionId) {
        LocalEntry entry = locals.get(sessionId);
        if (entry != null && entry.closingSince == 0) {
            entry.closingSince = Math.max(1, System.nanoTime());
        }
    }

    /** Standalone: Tyrus uses our monitoring hook. */
    void monitored() {
        monitored = true;
    }

    // ---------------------------------------------------------------- listeners and remote sessions

    /**
     * {@code ClusterContext.registerSessionListener}.
     *
     * @param endpointPath the endpoint path
     * @param listener     told of sessions opened and closed on other nodes
     */
    public void registerSessionListener(String endpointPath, SessionListener listener) {
        requireActive();
        sessionListeners.computeIfAbsent(endpointPath, k -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /**
     * {@code ClusterContext.registerBroadcastListener}: kept, not called, as broadcasts are written per
     * session (see the class notes).
     *
     * @param endpointPath the endpoint path
     * @param listener     the listener
     */
    public void registerBroadcastListener(String endpointPath, BroadcastListener listener) {
        requireActive();
        broadcastListeners.computeIfAbsent(endpointPath, k -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /**
     * {@code ClusterContext.getRemoteSessionIds}: sessions on the path on other nodes, from the
     * session events seen so far and the path's room in the registry.
     *
     * @param endpointPath the endpoint path
     * @return the ids, none of this node
     */
    public Set<String> getRemoteSessionIds(String endpointPath) {
        requireActive();
        Set<String> ids = new LinkedHashSet<>();
        for (Map.Entry<String, RemoteProperties> e : remotes.entrySet()) {
            if (e.getValue().path().equals(endpointPath) && !tombstones.containsKey(e.getKey())) {
                ids.add(e.getKey());
            }
        }
        try {
            for (SessionInfo info : cluster.registry().sessionsInRoom(pathRoom(endpointPath))) {
                if (acceptRemote(info, endpointPath)) {
                    remotes.putIfAbsent(info.id().value(), view(info));
                    ids.add(info.id().value());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not list the sessions open on {} on other nodes; those opened before this node started"
                    + " are missing from its remote sessions until they reconnect: {}", endpointPath, e.toString());
        }
        Set<String> announced = Set.copyOf(ids);
        try {
            dispatcher.schedule(() -> catchUp(endpointPath, announced), timings.catchUp().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("catch-up of {} skipped: shutting down", endpointPath);
        }
        return ids;
    }

    /** Second look after deployment: drops what closed meanwhile, announces what joined the room late. */
    private void catchUp(String path, Set<String> announced) {
        for (String id : announced) {
            if (tombstones.containsKey(id)) {
                remotes.remove(id);
                for (SessionListener listener : listenersOf(path)) {
                    notify(() -> listener.onSessionClosed(id));
                }
            }
        }
        try {
            for (SessionInfo info : cluster.registry().sessionsInRoom(pathRoom(path))) {
                if (acceptRemote(info, path) && remotes.putIfAbsent(info.id().value(), view(info)) == null) {
                    String id = info.id().value();
                    for (SessionListener listener : listenersOf(path)) {
                        notify(() -> listener.onSessionOpened(id));
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Second look at the sessions of {} failed: {}", path, e.toString());
        }
    }

    /**
     * Until endpoints are deployed, remote sessions of every path are kept, so that one opened while
     * its path deploys here is not missed; afterwards only those of deployed paths are (the room query
     * of {@link #getRemoteSessionIds} covers a path deployed later).
     */
    private boolean starting() {
        return System.nanoTime() - boundAt < timings.catchUp().toNanos() * 10;
    }

    private boolean acceptRemote(SessionInfo info, String path) {
        return info.path().equals(path) && !info.id().isOwnedBy(me) && !tombstones.containsKey(info.id().value());
    }

    private void remoteOpened(SessionInfo info) {
        if (info.id().isOwnedBy(me)) {
            return;
        }
        String id = info.id().value();
        tombstones.remove(id);
        if (!sessionListeners.containsKey(info.path()) && !starting()) {
            return; // no endpoint of that path here
        }
        remotes.put(id, view(info));
        for (SessionListener listener : listenersOf(info.path())) {
            notify(() -> listener.onSessionOpened(id));
        }
    }

    private void remoteClosed(SessionInfo info) {
        if (info.id().isOwnedBy(me)) {
            return;
        }
        String id = info.id().value();
        tombstones.put(id, System.nanoTime());
        RemoteProperties view = remotes.remove(id);
        partials.forget(id);
        userProperties.drop(view != null ? view.connectionId()
                : info.attributes().get(PropertyCodec.attribute(DistributedMapKey.CONNECTION_ID)));
        for (SessionListener listener : listenersOf(info.path())) {
            notify(() -> listener.onSessionClosed(id));
        }
    }

    private RemoteProperties view(SessionInfo info) {
        return new RemoteProperties(info, cluster.registry(), timings.refresh().toNanos());
    }

    private List<SessionListener> listenersOf(String path) {
        return sessionListeners.getOrDefault(path, List.of());
    }

    private static void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("Tyrus session listener failed", e);
        }
    }

    /**
     * {@code ClusterContext.isSessionOpen}: a local session by its state; a remote one by the session
     * events seen (no network call), or the registry for one this node has not heard of.
     *
     * @param sessionId    the session id
     * @param endpointPath its endpoint path
     * @return true if open
     */
    public boolean isSessionOpen(String sessionId, String endpointPath) {
        SessionId id = parse(sessionId);
        if (id == null || shut.get() || !bound.get()) {
            return false;
        }
        if (id.isOwnedBy(me)) {
            LocalEntry entry = locals.get(sessionId);
            return entry != null && entry.state == LocalEntry.State.OPEN;
        }
        if (tombstones.containsKey(sessionId)) {
            return false;
        }
        RemoteProperties view = remotes.get(sessionId);
        if (view != null) {
            return endpointPath == null || view.path().equals(endpointPath);
        }
        try {
            return cluster.registry().session(id).filter(i -> endpointPath == null || i.path().equals(endpointPath)).isPresent();
        } catch (RuntimeException e) {
            LOG.debug("Could not read session {} from the registry: {}", id, e.toString());
            return false;
        }
    }

    // ---------------------------------------------------------------- sending

    /**
     * Sends a whole message to a session anywhere.
     *
     * @param sessionId the session id
     * @param message   the message
     * @return completes when the owner queued it; fails with an {@link IOException} if it is not open
     */
    public CompletableFuture<Void> send(String sessionId, Message message) {
        SessionId id = parse(sessionId);
        if (id == null) {
            return CompletableFuture.failedFuture(new IOException("'" + sessionId + "' is not a wscluster session id"));
        }
        if (shut.get() || !bound.get()) {
            return CompletableFuture.failedFuture(new IOException(inactiveMessage()));
        }
        String what = "send to session '" + id + "'";
        CompletionStage<Delivery> stage;
        try {
            stage = cluster.messenger().send(Target.session(id), message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(io(what, e));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        stage.whenCompleteAsync((delivery, error) -> {
            if (error != null) {
                result.completeExceptionally(io(what, error));
            } else if (!delivery.reachedAnyone()) {
                result.completeExceptionally(new IOException("Session '" + id + "' is not open"));
            } else {
                result.complete(null);
            }
        }, callbackExecutor);
        return result;
    }

    /**
     * Sends a part of a text message; the last part sends the whole.
     *
     * @param sessionId the session id
     * @param text      the part
     * @param last      whether it is the last part
     * @return completes at once for a part, as {@link #send} for the last
     */
    public CompletableFuture<Void> sendPartialText(String sessionId, String text, boolean last) {
        try {
            String whole = partials.text(sessionId, text, last);
            return whole == null ? CompletableFuture.completedFuture(null) : send(sessionId, Message.text(whole));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Sends a part of a binary message; the last part sends the whole.
     *
     * @param sessionId the session id
     * @param data      the part
     * @param last      whether it is the last part
     * @return completes at once for a part, as {@link #send} for the last
     */
    public CompletableFuture<Void> sendPartialBinary(String sessionId, byte[] data, boolean last) {
        try {
            byte[] whole = partials.binary(sessionId, data, last);
            return whole == null ? CompletableFuture.completedFuture(null) : send(sessionId, Message.wrapBinary(whole));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Sends and reports to a handler, exactly once, on a thread of ours.
     *
     * @param sessionId the session id
     * @param message   the message
     * @param handler   the handler
     */
    public void send(String sessionId, Message message, SendHandler handler) {
        send(sessionId, message).whenComplete((v, error) -> {
            try {
                // the context never sees the RemoteSession the handler was given to: the result names no session
                handler.onResult(error == null ? new SendResult((Session) null) : new SendResult(null, unwrap(error)));
            } catch (RuntimeException e) {
                LOG.warn("SendHandler for session {} failed", sessionId, e);
            }
        });
    }

    /**
     * Ping and pong frames cannot cross nodes: the wscluster API carries text and binary messages only.
     *
     * @param sessionId the session id
     * @param kind      "ping" or "pong"
     * @return a completed future
     */
    public CompletableFuture<Void> controlFrame(String sessionId, String kind) {
        if (warnedPing.compareAndSet(false, true)) {
            LOG.debug("A {} to remote session {} was ignored: the wscluster API carries no ping or pong frames"
                    + " between nodes (further ones are ignored silently)", kind, sessionId);
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * {@code ClusterContext.broadcastText/Binary}: writes the message once to every session on the
     * path on every node, this one included.
     *
     * @param endpointPath the endpoint path
     * @param message      the message
     */
    public void broadcast(String endpointPath, Message message) {
        requireActive();
        try {
            cluster.messenger().send(Target.endpoint(endpointPath), message).whenComplete((d, e) -> {
                if (e != null) {
                    LOG.warn("Broadcast to {} failed: {}", endpointPath, e.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Broadcast to {} failed: {}", endpointPath, e.toString());
        }
    }

    /**
     * {@code ClusterContext.close}: closes a session anywhere.
     *
     * @param sessionId the session id
     * @param reason    the close reason, or null for 1000
     * @return completes when the owner started closing it (or found it closed already)
     */
    public CompletableFuture<Void> close(String sessionId, CloseReason reason) {
        SessionId id = parse(sessionId);
        if (id == null) {
            return CompletableFuture.failedFuture(new IOException("'" + sessionId + "' is not a wscluster session id"));
        }
        if (shut.get() || !bound.get()) {
            return CompletableFuture.failedFuture(new IOException(inactiveMessage()));
        }
        String what = "close of session '" + id + "'";
        CompletionStage<Boolean> stage;
        try {
            stage = cluster.disconnect(id, closeCode(reason));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(io(what, e));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        stage.whenCompleteAsync((wasOpen, error) -> {
            if (error != null) {
                result.completeExceptionally(io(what, error));
            } else {
                result.complete(null);
            }
        }, callbackExecutor);
        return result;
    }

    /**
     * Maps a Jakarta close reason onto a wscluster close code: codes the protocol reserves for itself
     * (1005, 1006, 1015, 1004) or out of range become 1000; the reason is cut to 123 bytes of UTF-8.
     *
     * @param reason the reason, or null
     * @return the code
     */
    static CloseCode closeCode(CloseReason reason) {
        if (reason == null) {
            return new CloseCode(CloseCode.NORMAL, "");
        }
        String phrase = truncateUtf8(reason.getReasonPhrase() == null ? "" : reason.getReasonPhrase(), 123);
        int code = reason.getCloseCode().getCode();
        try {
            return new CloseCode(code, phrase);
        } catch (IllegalArgumentException e) {
            return new CloseCode(CloseCode.NORMAL, phrase);
        }
    }

    static String truncateUtf8(String s, int maxBytes) {
        if (s.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return s;
        }
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder();
        ByteBuffer out = ByteBuffer.allocate(maxBytes);
        CharBuffer in = CharBuffer.wrap(s);
        encoder.encode(in, out, true);
        return s.substring(0, in.position());
    }

    // ---------------------------------------------------------------- shutdown and sweeps

    /**
     * {@code ClusterContext.shutdown}: deregisters the local sessions still registered, stops listening
     * and stops the threads. The cluster itself is left running (its owner closes it). Idempotent.
     */
    public void shutdown() {
        if (!shut.compareAndSet(false, true)) {
            return;
        }
        for (Subscription s : subscriptions) {
            s.close();
        }
        subscriptions.clear();
        if (bound.get()) {
            for (String id : List.copyOf(locals.keySet())) {
                closed(id);
            }
        }
        remotes.clear();
        tombstones.clear();
        sessionListeners.clear();
        broadcastListeners.clear();
        userProperties.clear();
        partials.clear();
        for (ExecutorService executor : new ExecutorService[] {dispatcher, callbacks, writers}) {
            if (executor != null) {
                executor.shutdownNow();
            }
        }
        if (bound.get()) {
            LOG.debug("Tyrus cluster context of node {} shut down", me);
        }
    }

    /** @return true once {@link #shutdown()} was called */
    public boolean isShutdown() {
        return shut.get();
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
        return standaloneDropped.get();
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            long pending = timings.pendingTimeout().toNanos();
            long closing = timings.closingTimeout().toNanos();
            for (LocalEntry entry : locals.values()) {
                LocalEntry.State state = entry.state;
                if ((state == LocalEntry.State.CREATED || state == LocalEntry.State.REGISTERED)
                        && now - entry.created > pending) {
                    LOG.debug("Dropping session {}: Tyrus created it but never admitted it", entry.id);
                    closed(entry.id.value());
                } else if (state == LocalEntry.State.OPEN && entry.closingSince != 0 && now - entry.closingSince > closing) {
                    LOG.info("Deregistering session {}: it closed {} ms ago and Tyrus never removed it (refused after"
                            + " it was created)", entry.id, TimeUnit.NANOSECONDS.toMillis(now - entry.closingSince));
                    closed(entry.id.value());
                }
            }
            if (!starting()) {
                remotes.values().removeIf(view -> !sessionListeners.containsKey(view.path()));
            }
            long tombstone = timings.tombstone().toNanos();
            tombstones.values().removeIf(at -> now - at > tombstone);
            userProperties.expire(pending);
            partials.expire(Math.max(pending, tombstone));
        } catch (RuntimeException e) {
            LOG.warn("Tyrus cluster context sweep failed", e);
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The room every session of an endpoint path joins, so that a node starting later finds the
     * sessions already open: {@code tyrus.} and 32 hex digits of the SHA-256 of the path.
     *
     * @param path the endpoint path
     * @return the room name
     */
    public static String pathRoom(String path) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
            return ROOM_PREFIX + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static String validUser(String name) {
        return Names.isValidUser(name) ? name : null;
    }

    private SessionId parse(String sessionId) {
        if (sessionId == null) {
            return null;
        }
        try {
            return SessionId.parse(sessionId);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void requireActive() {
        if (shut.get() || !bound.get()) {
            throw new IllegalStateException(inactiveMessage());
        }
    }

    private String inactiveMessage() {
        if (shut.get()) {
            return "TyrusClusterContext of node '" + me + "' is shut down";
        }
        return "TyrusClusterContext is not bound to a node yet: give it to WsServer.Builder.tyrusClusterContext(...)"
                + " and start the server, or make it with TyrusClusterContext.attach(cluster)";
    }

    private void dispatch(Runnable task) {
        try {
            dispatcher.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("session event dropped: shutting down");
        }
    }

    private void runCallback(Runnable task) {
        try {
            callbacks.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private void writeLater(Runnable task) {
        try {
            writers.execute(task);
        } catch (RejectedExecutionException | NullPointerException e) {
            LOG.debug("write skipped: shutting down");
        }
    }

    private static IOException io(String what, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof IOException io) {
            return io;
        }
        return new IOException(what + " failed: " + (cause instanceof ClusterException ? cause.getMessage() : cause.toString()), cause);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------- standalone delivery

    /** Writes what the cluster routed here through each session's Tyrus listener, serially per session. */
    private final class ListenerDelivery implements LocalDelivery {

        @Override
        public void deliver(Collection<SessionId> sessions, Message message) {
            for (SessionId id : sessions) {
                LocalEntry entry = locals.get(id.value());
                SerialQueue queue = entry == null ? null : entry.queue;
                SessionEventListener listener = entry == null ? null : entry.listener;
                if (queue == null || listener == null) {
                    continue;
                }
                if (!queue.offer(() -> write(id, listener, message))) {
                    standaloneDropped.incrementAndGet();
                    if (warnedStandaloneDrop.compareAndSet(false, true)) {
                        LOG.warn("Write queue of session {} is full ({} messages): dropping messages (further drops"
                                + " are counted, not logged)", id, STANDALONE_MAX_QUEUED);
                    }
                }
            }
        }

        @Override
        public void close(SessionId session, CloseCode code) {
            LocalEntry entry = locals.get(session.value());
            SerialQueue queue = entry == null ? null : entry.queue;
            SessionEventListener listener = entry == null ? null : entry.listener;
            if (queue == null || listener == null) {
                return;
            }
            CloseReason reason = new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()), code.reason());
            queue.offerAlways(() -> {
                try {
                    listener.onClose(reason);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("Closing session {} failed: {}", session, e.toString());
                }
            });
        }

        private void write(SessionId id, SessionEventListener listener, Message message) {
            try {
                if (message.isText()) {
                    listener.onSendText(message.text());
                } else {
                    listener.onSendBinary(message.payloadBytes());
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("Write to session {} failed: {}", id, e.toString());
            }
        }
    }

    /** One local session as this node's context knows it. */
    private static final class LocalEntry {

        enum State { CREATED, REGISTERED, OPEN, CLOSED }

        final SessionId id;
        final LocalProperties properties;
        final long created = System.nanoTime();
        final AtomicBoolean userBinding = new AtomicBoolean();
        volatile State state = State.CREATED;
        volatile String path;
        volatile SessionEventListener listener;
        volatile SessionInfo info;
        volatile String userKey;
        volatile long closingSince;
        volatile SerialQueue queue;

        LocalEntry(SessionId id) {
            this.id = id;
            this.properties = new LocalProperties(id.value());
        }
    }
}
