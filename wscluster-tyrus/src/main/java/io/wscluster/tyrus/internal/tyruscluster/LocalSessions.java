package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.Names;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.tyrus.internal.Counters;
import io.wscluster.tyrus.internal.Outbound;
import org.glassfish.tyrus.core.cluster.RemoteSession.DistributedMapKey;
import org.glassfish.tyrus.core.cluster.SessionEventListener;
import jakarta.websocket.CloseReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sessions of this node as Tyrus creates, registers and removes them.
 *
 * <p>Design notes. Tyrus creates a session, fills its distributed properties and calls
 * {@code registerSession} before it checks its limits and before the endpoint exists. So an entry
 * ({@link LocalEntry}) is made when Tyrus first asks for the properties, and the session is
 * registered in the cluster ({@code SessionHost.open}, with its properties as attributes, so the
 * opened event every node sees already carries them) only once it is really admitted: by the server
 * right before the endpoint's {@code onOpen} ({@link #open(String, String, URI)}), or by Tyrus's
 * monitoring hook ({@link #admitted}, standalone). An entry never admitted is dropped after the pending
 * timeout; one that exchanged a close frame and was not removed (standalone) is deregistered after
 * the closing timeout ({@link #sweep}). {@code SessionHost.closed} runs exactly once, by whichever of
 * the server's close, Tyrus's {@code removeSession} or a sweep comes first ({@link #closed}).
 *
 * <p>Connection ids. Tyrus asks for a new session's user properties by connection id only, right
 * after it filled the session's properties, on the same thread. The entry created on this thread is
 * remembered in a thread-local until then, so that the map a connection id names is bound to the
 * session that brought it (see {@link UserProperties}); Tyrus's SPI gives no other way to tell which
 * session a connection id belongs to.
 */
final class LocalSessions {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSessions.class);
    private static final ThreadLocal<LocalEntry> CREATING = new ThreadLocal<>();
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private final BoundNode node;
    private final TyrusClusterAdapter.Mode mode;
    private final TyrusClusterAdapter.Timings timings;
    private final UserProperties userProperties;
    private final ConcurrentMap<String, LocalEntry> locals = new ConcurrentHashMap<>();
    private final AtomicBoolean warnedUnmonitored = new AtomicBoolean();
    private final Counters standaloneCounters = new Counters();
    private volatile boolean monitored;

    LocalSessions(BoundNode node, TyrusClusterAdapter.Mode mode, TyrusClusterAdapter.Timings timings,
                  UserProperties userProperties) {
        this.node = node;
        this.mode = mode;
        this.timings = timings;
        this.userProperties = userProperties;
    }

    /** @return the entry of a local session, or null */
    LocalEntry get(String sessionId) {
        return locals.get(sessionId);
    }

    /** @return the write-through properties of a local session, its entry made on first use */
    Map<DistributedMapKey, Object> properties(SessionId id) {
        LocalEntry[] created = new LocalEntry[1];
        LocalEntry entry = locals.computeIfAbsent(id.value(), k -> created[0] = new LocalEntry(id));
        if (created[0] != null) {
            CREATING.set(entry);
        }
        return entry.properties;
    }

    /** @return the user properties of a connection: the new session's own map, or this node's map */
    Map<String, Object> userProperties(String connectionId) {
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

    /** {@code registerSession}; standalone without the monitoring hook, it registers in the cluster at once. */
    void register(String sessionId, String endpointPath, SessionEventListener listener) {
        CREATING.remove();
        SessionId id = BoundNode.parse(sessionId);
        if (id == null || !id.isOwnedBy(node.me())) {
            throw new IllegalArgumentException("session id '" + sessionId + "' was not created by node '" + node.me() + "'");
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
        if (mode == TyrusClusterAdapter.Mode.STANDALONE) {
            entry.queue = new Outbound(new ListenerSocket(id, listener, node), TyrusClusterAdapter.STANDALONE_MAX_QUEUED_MESSAGES,
                    TyrusClusterAdapter.STANDALONE_MAX_QUEUED_BYTES, standaloneCounters);
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

    /** @see TyrusClusterAdapter#idOf */
    SessionId idOf(String tyrusSessionId) {
        LocalEntry entry = locals.get(tyrusSessionId);
        if (entry == null || entry.state == LocalEntry.State.CREATED) {
            throw new IllegalStateException("Tyrus session '" + tyrusSessionId
                    + "' was not registered through this node's TyrusClusterContext");
        }
        return entry.id;
    }

    /** @see TyrusClusterAdapter#open */
    SessionInfo open(String tyrusSessionId, String user, URI requestUri) {
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
                    attributes -> node.host().open(entry.id, entry.path, user, attributes),
                    attributes -> node.host().updateAttributes(entry.id, attributes));
            entry.info = info;
            entry.state = LocalEntry.State.OPEN;
        }
        joinPathRoom(entry);
        return info;
    }

    private void joinPathRoom(LocalEntry entry) {
        String room = RemoteSessions.pathRoom(entry.path);
        try {
            node.cluster().rooms().join(entry.id, room).toCompletableFuture().get(JOIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Session {} could not join room '{}' of endpoint {}: nodes that start later will not list it"
                    + " among their remote sessions ({})", entry.id, room, entry.path, e.toString());
        }
    }

    /** @see TyrusClusterAdapter#closed */
    void closed(String sessionId) {
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
        Outbound queue = entry.queue;
        if (queue != null) {
            queue.close();
        }
        if (wasOpen) {
            try {
                node.host().closed(entry.id);
            } catch (RuntimeException e) {
                LOG.debug("Deregistering session {} failed: {}", entry.id, e.toString());
            }
        }
    }

    /** Standalone: Tyrus admitted a session (its limits passed); registers it in the cluster. */
    void admitted(String sessionId) {
        LocalEntry entry = locals.get(sessionId);
        if (entry == null || node.isShut()) {
            return;
        }
        try {
            open(entry, validUser(entry.properties.principalName()));
        } catch (RuntimeException e) {
            LOG.warn("Could not register session {} in the cluster; closing it with 1013: {}", sessionId, e.toString());
            SessionEventListener listener = entry.listener;
            closed(sessionId);
            if (listener != null) {
                node.writeLater(() -> {
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

    /** @return true if the session is local and registered in the cluster */
    boolean isOpen(String sessionId) {
        LocalEntry entry = locals.get(sessionId);
        return entry != null && entry.state == LocalEntry.State.OPEN;
    }

    /** Drops entries never admitted, and deregisters closing ones Tyrus never removed. */
    void sweep(long now) {
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
    }

    /** Deregisters every session still here (shutdown). */
    void closeAll() {
        for (String id : List.copyOf(locals.keySet())) {
            closed(id);
        }
    }

    int size() {
        return locals.size();
    }

    private static String validUser(String name) {
        return Names.isValidUser(name) ? name : null;
    }
}
