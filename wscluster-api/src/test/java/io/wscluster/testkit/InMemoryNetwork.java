package io.wscluster.testkit;

import io.wscluster.HistorySettings;
import io.wscluster.Node;
import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.event.NodeJoined;
import io.wscluster.event.NodeLeft;
import io.wscluster.event.SessionClosed;
import io.wscluster.event.SessionOpened;
import io.wscluster.event.UserOffline;
import io.wscluster.event.UserOnline;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What the nodes of an in-memory cluster share: the session table and its indexes, the live
 * nodes, and the one thread that delivers events. Each {@link #newNode()} is a logical node, an
 * {@link InMemoryCluster}, of the same cluster.
 *
 * <pre>{@code
 * InMemoryNetwork network = new InMemoryNetwork();
 * Cluster a = network.newNode();
 * Cluster b = network.newNode();
 * }</pre>
 *
 * <p>Design notes. Every read and write of the shared state happens under one lock, so each call
 * sees the effects of every call that completed before it, on any node: the in-memory cluster is
 * what a real backend is once it has settled, without the waiting. Calls into a node's server
 * ({@code LocalDelivery}) are made on the caller's thread, outside the lock, so a server may call
 * back into the cluster. Events are queued under the lock in the order their changes happened and
 * handed to listeners by a single event thread (shared by all nodes), so every listener sees them
 * in that one order; the thread ends when idle.
 */
public final class InMemoryNetwork {

    private final Object lock = new Object();
    private final Clock clock;
    private final InMemoryHistory history;
    private final ThreadPoolExecutor eventThread;
    private final Map<NodeId, InMemoryCluster> live = new TreeMap<>();
    private final Map<SessionId, SessionInfo> sessions = new HashMap<>();
    private final Map<NodeId, Set<SessionId>> byNode = new HashMap<>();
    private final Map<String, Set<SessionId>> byUser = new HashMap<>();
    private final Map<String, Set<SessionId>> byRoom = new HashMap<>();
    private final Map<String, Set<SessionId>> byPath = new HashMap<>();

    /** A network on the system clock. */
    public InMemoryNetwork() {
        this(Clock.systemUTC());
    }

    /**
     * A network whose sessions and nodes are stamped by the given clock.
     *
     * @param clock the clock for {@code openedAt} and {@code joinedAt}
     */
    public InMemoryNetwork(Clock clock) {
        this(clock, HistorySettings.none());
    }

    /**
     * A network whose history rooms follow the given settings.
     *
     * @param clock   the clock for {@code openedAt}, {@code joinedAt} and the age of history
     * @param history which rooms keep history
     */
    public InMemoryNetwork(Clock clock, HistorySettings history) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.history = new InMemoryHistory(this, Objects.requireNonNull(history, "history"));
        this.eventThread = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "wscluster-inmemory-events");
            t.setDaemon(true);
            return t;
        });
        eventThread.allowCoreThreadTimeOut(true);
    }

    /**
     * Starts a logical node with a fresh random id; it joins at once.
     *
     * @return the node
     */
    public InMemoryCluster newNode() {
        return newNode(NodeId.random());
    }

    /**
     * Starts a logical node; it joins at once, and the other nodes get {@link NodeJoined}.
     *
     * @param id its id
     * @return the node
     * @throws IllegalArgumentException if a live node has that id
     */
    public InMemoryCluster newNode(NodeId id) {
        Objects.requireNonNull(id, "id");
        synchronized (lock) {
            if (live.containsKey(id)) {
                throw new IllegalArgumentException("node id '" + id + "' is taken by a live node");
            }
            InMemoryCluster node = new InMemoryCluster(this, new Node(id, "in-memory/" + id, clock.instant()));
            publish(new NodeJoined(node.self()));
            live.put(id, node);
            return node;
        }
    }

    /**
     * Starts nodes of a new network for the contract kits, each with a {@link RecordingDelivery}
     * attached. A crash takes effect at once, so the failure timeout the kits allow is short.
     *
     * @param count how many nodes
     * @return the nodes
     */
    public static ClusterNodes startNodes(int count) {
        return startNodes(new InMemoryNetwork(), count);
    }

    /**
     * Starts nodes of this network for the contract kits, each with a {@link RecordingDelivery}
     * attached.
     *
     * @param network the network
     * @param count   how many nodes
     * @return the nodes
     */
    public static ClusterNodes startNodes(InMemoryNetwork network, int count) {
        List<TestNode> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nodes.add(TestNode.attach(network.newNode()));
        }
        return new ClusterNodes() {
            @Override
            public List<TestNode> nodes() {
                return nodes;
            }

            @Override
            public void crash(TestNode node) {
                ((InMemoryCluster) node.cluster()).crash();
            }

            @Override
            public Duration failureTimeout() {
                return Duration.ofSeconds(1);
            }

            @Override
            public void close() {
                for (TestNode node : nodes) {
                    ((InMemoryCluster) node.cluster()).crash();
                }
            }
        };
    }

    /** Waits until every event published so far has been handed to its listeners (for tests). */
    public void awaitEvents() {
        try {
            eventThread.submit(() -> { }).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("events were not delivered within 30 s", e);
        }
    }

    // ---- for the node classes ----------------------------------------------------------------

    Object lock() {
        return lock;
    }

    Clock clock() {
        return clock;
    }

    InMemoryHistory history() {
        return history;
    }

    /** Queues an event for every live node's listeners; call under the lock. */
    void publish(Object event) {
        List<InMemoryCluster> receivers = new ArrayList<>(live.values());
        eventThread.execute(() -> {
            for (InMemoryCluster node : receivers) {
                node.hub().dispatch(event);
            }
        });
    }

    /** @return the live nodes, ordered by id; call under the lock */
    List<Node> liveNodes() {
        return live.values().stream().map(InMemoryCluster::self).toList();
    }

    /** @return the live node with that id, or null; call under the lock */
    InMemoryCluster liveNode(NodeId id) {
        return live.get(id);
    }

    /**
     * Removes a node and its sessions, with their events; call under the lock.
     *
     * @param node the node leaving
     * @param lost true if it died, false if it left on purpose
     */
    void remove(InMemoryCluster node, boolean lost) {
        for (SessionId id : new ArrayList<>(byNode.getOrDefault(node.localNode(), Set.of()))) {
            deregister(id, lost);
        }
        live.remove(node.localNode());
        publish(new NodeLeft(node.self(), lost));
        if (lost) {
            for (InMemoryCluster survivor : live.values()) {
                survivor.counters().nodesLost.increment();
            }
        }
    }

    SessionInfo session(SessionId id) {
        return sessions.get(id);
    }

    int sessionCount() {
        return sessions.size();
    }

    boolean isOnline(String user) {
        return byUser.containsKey(user);
    }

    List<SessionInfo> sessionsOfNode(NodeId node) {
        return infos(byNode.get(node));
    }

    List<SessionInfo> sessionsOfUser(String user) {
        return infos(byUser.get(user));
    }

    List<SessionInfo> sessionsInRoom(String room) {
        return infos(byRoom.get(room));
    }

    /** Registers a session and publishes its events; call under the lock. */
    void register(SessionInfo info) {
        sessions.put(info.id(), info);
        index(byNode, info.node(), info.id());
        index(byPath, info.path(), info.id());
        boolean online = info.user().isPresent() && !byUser.containsKey(info.user().get());
        info.user().ifPresent(user -> index(byUser, user, info.id()));
        publish(new SessionOpened(info));
        if (online) {
            publish(new UserOnline(info.user().get(), info.id()));
        }
    }

    /** Replaces a session's rooms or attributes; call under the lock. */
    void update(SessionInfo updated) {
        SessionInfo old = sessions.replace(updated.id(), updated);
        for (String room : old.rooms()) {
            if (!updated.rooms().contains(room)) {
                unindex(byRoom, room, updated.id());
            }
        }
        for (String room : updated.rooms()) {
            index(byRoom, room, updated.id());
        }
    }

    /**
     * Deregisters a session and publishes its events; call under the lock.
     *
     * @return its last state, or null if it was not registered
     */
    SessionInfo deregister(SessionId id, boolean lost) {
        SessionInfo info = sessions.remove(id);
        if (info == null) {
            return null;
        }
        unindex(byNode, info.node(), id);
        unindex(byPath, info.path(), id);
        for (String room : info.rooms()) {
            unindex(byRoom, room, id);
        }
        boolean offline = info.user().isPresent() && unindex(byUser, info.user().get(), id);
        publish(new SessionClosed(info, lost));
        if (offline) {
            publish(new UserOffline(info.user().get(), id));
        }
        return info;
    }

    /**
     * The sessions a target names, grouped by live node (ordered by node id); call under the lock.
     *
     * @param target the target
     * @return node to its sessions, only nodes with at least one
     */
    Map<InMemoryCluster, List<SessionId>> resolve(Target target) {
        Collection<SessionId> named = switch (target.kind()) {
            case SESSION -> {
                SessionId id = new SessionId(target.name());
                yield sessions.containsKey(id) ? List.of(id) : List.of();
            }
            case USER -> byUser.getOrDefault(target.name(), Set.of());
            case ROOM -> byRoom.getOrDefault(target.name(), Set.of());
            case ENDPOINT -> byPath.getOrDefault(target.name(), Set.of());
            case ALL -> sessions.keySet();
        };
        SessionId excluded = target.excluded().orElse(null);
        Map<NodeId, List<SessionId>> grouped = new TreeMap<>();
        for (SessionId id : named) {
            if (!id.equals(excluded)) {
                grouped.computeIfAbsent(id.node(), n -> new ArrayList<>()).add(id);
            }
        }
        Map<InMemoryCluster, List<SessionId>> perNode = new LinkedHashMap<>();
        grouped.forEach((id, ids) -> {
            InMemoryCluster node = live.get(id);
            if (node != null) {
                perNode.put(node, ids);
            }
        });
        return perNode;
    }

    private List<SessionInfo> infos(Set<SessionId> ids) {
        if (ids == null) {
            return List.of();
        }
        List<SessionInfo> found = new ArrayList<>(ids.size());
        for (SessionId id : ids) {
            found.add(sessions.get(id));
        }
        found.sort(Comparator.comparing(s -> s.id().value()));
        return found;
    }

    private static <K> void index(Map<K, Set<SessionId>> index, K key, SessionId id) {
        index.computeIfAbsent(key, k -> new TreeSet<>(Comparator.comparing(SessionId::value))).add(id);
    }

    /** @return true if the key's set became empty and was removed */
    private static <K> boolean unindex(Map<K, Set<SessionId>> index, K key, SessionId id) {
        Set<SessionId> set = index.get(key);
        if (set == null || !set.remove(id) || !set.isEmpty()) {
            return false;
        }
        index.remove(key);
        return true;
    }
}
