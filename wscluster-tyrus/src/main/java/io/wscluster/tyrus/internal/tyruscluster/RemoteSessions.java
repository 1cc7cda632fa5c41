package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import org.glassfish.tyrus.core.cluster.BroadcastListener;
import org.glassfish.tyrus.core.cluster.RemoteSession.DistributedMapKey;
import org.glassfish.tyrus.core.cluster.SessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The sessions on other nodes, as this node's Tyrus endpoint wrappers see them.
 *
 * <p>Design notes. Every node learns of sessions opened and closed elsewhere from the cluster's
 * session events, handed to the context's event thread in event order (never a cluster thread:
 * {@link #remoteOpened}, {@link #remoteClosed}). A node that starts after sessions were opened
 * elsewhere learns those from the registry: each session joins a room named after its endpoint
 * path ({@link #pathRoom}), the only cluster-wide group query the API has. A second look one
 * catch-up interval after deployment ({@link #catchUp}) closes the race with sessions opening or
 * closing meanwhile. A closed session is remembered (a tombstone) for a while, so a late look at the
 * room does not bring it back. Until endpoints are deployed, remote sessions of every path are
 * kept, so one opened while its path deploys here is not missed.
 */
final class RemoteSessions {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteSessions.class);
    private static final String ROOM_PREFIX = "tyrus.";

    private final BoundNode node;
    private final TyrusClusterAdapter.Timings timings;
    private final UserProperties userProperties;
    private final PartialMessages partials;
    private final ConcurrentMap<String, RemoteProperties> remotes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Long> tombstones = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, List<SessionListener>> sessionListeners = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, List<BroadcastListener>> broadcastListeners = new ConcurrentHashMap<>();

    RemoteSessions(BoundNode node, TyrusClusterAdapter.Timings timings, UserProperties userProperties,
                   PartialMessages partials) {
        this.node = node;
        this.timings = timings;
        this.userProperties = userProperties;
        this.partials = partials;
    }

    /**
     * The room every session of an endpoint path joins, so that a node starting later finds the
     * sessions already open: {@code tyrus.} and 32 hex digits of the SHA-256 of the path.
     *
     * @param path the endpoint path
     * @return the room name
     */
    static String pathRoom(String path) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
            return ROOM_PREFIX + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** @return the read-only properties of a remote session, or null if the registry does not know it */
    Map<DistributedMapKey, Object> properties(SessionId id) {
        RemoteProperties view = remotes.get(id.value());
        if (view != null) {
            return view;
        }
        try {
            Optional<SessionInfo> info = node.cluster().registry().session(id);
            if (info.isPresent()) {
                return view(info.get());
            }
        } catch (RuntimeException e) {
            LOG.debug("Could not read session {} from the registry: {}", id, e.toString());
        }
        return null;
    }

    void addSessionListener(String endpointPath, SessionListener listener) {
        sessionListeners.computeIfAbsent(endpointPath, k -> new CopyOnWriteArrayList<>()).add(listener);
    }

    void addBroadcastListener(String endpointPath, BroadcastListener listener) {
        broadcastListeners.computeIfAbsent(endpointPath, k -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /** @see TyrusClusterAdapter#getRemoteSessionIds */
    Set<String> ids(String endpointPath) {
        Set<String> ids = new LinkedHashSet<>();
        for (Map.Entry<String, RemoteProperties> e : remotes.entrySet()) {
            if (e.getValue().path().equals(endpointPath) && !tombstones.containsKey(e.getKey())) {
                ids.add(e.getKey());
            }
        }
        try {
            for (SessionInfo info : node.cluster().registry().sessionsInRoom(pathRoom(endpointPath))) {
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
            node.dispatcher().schedule(() -> catchUp(endpointPath, announced), timings.catchUp().toMillis(),
                    TimeUnit.MILLISECONDS);
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
            for (SessionInfo info : node.cluster().registry().sessionsInRoom(pathRoom(path))) {
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
     * of {@link #ids} covers a path deployed later).
     */
    private boolean starting() {
        return System.nanoTime() - node.boundAt() < timings.catchUp().toNanos() * 10;
    }

    private boolean acceptRemote(SessionInfo info, String path) {
        return info.path().equals(path) && !info.id().isOwnedBy(node.me()) && !tombstones.containsKey(info.id().value());
    }

    /** A session opened somewhere (on the event thread). */
    void remoteOpened(SessionInfo info) {
        if (info.id().isOwnedBy(node.me())) {
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

    /** A session closed somewhere (on the event thread). */
    void remoteClosed(SessionInfo info) {
        if (info.id().isOwnedBy(node.me())) {
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

    /**
     * A remote session: open by the session events seen (no network call), or by the registry for
     * one this node has not heard of.
     */
    boolean isOpen(SessionId id, String endpointPath) {
        if (tombstones.containsKey(id.value())) {
            return false;
        }
        RemoteProperties view = remotes.get(id.value());
        if (view != null) {
            return endpointPath == null || view.path().equals(endpointPath);
        }
        try {
            return node.cluster().registry().session(id)
                    .filter(i -> endpointPath == null || i.path().equals(endpointPath)).isPresent();
        } catch (RuntimeException e) {
            LOG.debug("Could not read session {} from the registry: {}", id, e.toString());
            return false;
        }
    }

    /** Forgets sessions of paths not deployed here (after start-up) and old tombstones. */
    void sweep(long now) {
        if (!starting()) {
            remotes.values().removeIf(view -> !sessionListeners.containsKey(view.path()));
        }
        long tombstone = timings.tombstone().toNanos();
        tombstones.values().removeIf(at -> now - at > tombstone);
    }

    void clear() {
        remotes.clear();
        tombstones.clear();
        sessionListeners.clear();
        broadcastListeners.clear();
    }

    int size() {
        return remotes.size();
    }

    private RemoteProperties view(SessionInfo info) {
        return new RemoteProperties(info, node.cluster().registry(), timings.refresh().toNanos());
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
}
