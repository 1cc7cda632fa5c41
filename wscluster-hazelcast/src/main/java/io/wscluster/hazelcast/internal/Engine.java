package io.wscluster.hazelcast.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.IndexType;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.multimap.MultiMap;
import com.hazelcast.query.Predicates;
import com.hazelcast.topic.ITopic;
import io.wscluster.CloseCode;
import io.wscluster.ClusterException;
import io.wscluster.Delivery;
import io.wscluster.Message;
import io.wscluster.Messenger;
import io.wscluster.Names;
import io.wscluster.Node;
import io.wscluster.NodeId;
import io.wscluster.Registry;
import io.wscluster.Rooms;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.event.NodeJoined;
import io.wscluster.event.NodeLeft;
import io.wscluster.event.SessionClosed;
import io.wscluster.event.SessionOpened;
import io.wscluster.event.UserOffline;
import io.wscluster.event.UserOnline;
import io.wscluster.hazelcast.internal.Wire.NodeRecord;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.spi.SessionHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cluster core of one node: registry, rooms, presence, routing, events and failure handling.
 *
 * <p>Design notes.
 * <ul>
 * <li><b>Data.</b> {@code wsc.sessions} (session id to record) is the registry; {@code wsc.users}
 * (user to session ids) gives user lookups and presence; {@code wsc.rooms} (a MultiMap room to
 * "session user") gives room lookups; {@code wsc.interest} (room to node and member count) is the
 * routing table; {@code wsc.nodes} (node id to record) is the node table. Every lookup reads one
 * partition; none scans sessions.</li>
 * <li><b>Single writer.</b> Only the owning node writes a session's record, memberships and its own
 * interest counts; a join or leave for a remote session is sent to the owner. Presence and interest
 * entries are shared by nodes and changed with compare-and-set loops, so no update is lost.
 * Every write is idempotent ("set my count to n", "add this id"), so re-asserting is always safe.</li>
 * <li><b>Order of writes.</b> A join writes the record, then the room membership, then the interest;
 * a leave undoes them in reverse. So whatever a crash interrupts, the dead node's records name
 * everything that must be cleaned, and cleanup can be driven by the records alone.</li>
 * <li><b>Routing.</b> Each node listens on its own topic {@code wsc.n.<id>}. A room or user message
 * is published once to each node with interest (and nowhere else); a session message goes to the
 * owner named by the id. A topic is FIFO per publishing member, so messages from one sending thread
 * keep their order at every receiver. Inbound messages are handled on one thread per node, off
 * Hazelcast's event threads.</li>
 * <li><b>Failure.</b> Every survivor reacts to a lost member by removing that node's sessions,
 * memberships, presence and interest; removals are idempotent and the one survivor whose removal
 * succeeds publishes the closed / offline events. After a merge, a member joining or a partition
 * loss, each node re-asserts what it owns and removes entries of nodes that are gone.</li>
 * <li><b>Events.</b> Session and user events travel on the topic {@code wsc.events}; a node subscribes
 * to it only while it has listeners for them, so that opens and closes cost no event deliveries
 * on nodes that do not listen (about 12% more connects per second in the chat benchmark).</li>
 * <li><b>Client-mode nodes.</b> A node on a Hazelcast client is no member, so no membership event
 * tells the others it died. It holds a lease instead: an entry in {@code wsc.leases} with a time to
 * live of half the failure timeout, renewed four times per life. When the lease expires, every
 * node that sees the expiry removes the node as if it were a lost member; a node that finds its own
 * lease gone (it stalled past it) re-asserts what it owns.</li>
 * </ul>
 */
public final class Engine implements Registry, Rooms, Messenger, SessionHost {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    static final String SESSIONS = "wsc.sessions";
    static final String USERS = "wsc.users";
    static final String ROOMS = "wsc.rooms";
    static final String INTEREST = "wsc.interest";
    static final String NODES = "wsc.nodes";
    static final String LEASES = "wsc.leases";
    static final String EVENTS = "wsc.events";
    static final String INBOX_PREFIX = "wsc.n.";
    private static final int STRIPES = 64;
    private static final LocalDelivery NO_SERVER = new LocalDelivery() {
        @Override
        public void deliver(Collection<SessionId> sessions, Message message) {
        }

        @Override
        public void close(SessionId session, CloseCode code) {
        }
    };

    private final HazelcastInstance hz;
    private final boolean memberMode;
    private final NodeId me;
    private final Duration failureTimeout;
    private final ClusterSettings settings;
    private final Ticker ticker;
    private final NodeRecord selfRecord;

    private final IMap<String, byte[]> sessions;
    private final IMap<String, String[]> users;
    private final MultiMap<String, String> roomMembers;
    private final RoutingTable routing;
    private final UserTable presence;
    private final IMap<String, byte[]> nodes;
    private final IMap<String, Long> leases;
    private final ITopic<byte[]> eventsTopic;
    private final Map<NodeId, ITopic<byte[]>> inboxes = new ConcurrentHashMap<>();

    private final LocalSessions local = new LocalSessions();
    private final Map<NodeId, NodeRecord> directory = new ConcurrentHashMap<>();
    private final PendingRequests outstanding;
    private final AtomicLong sessionSequence = new AtomicLong();
    private final Object[] sessionLocks = stripes();
    private final Object[] roomLocks = stripes();
    private final AtomicBoolean attached = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean leaseHeld = new AtomicBoolean();
    private UUID eventsListener; // guarded by eventsTopic
    private volatile LocalDelivery delivery = NO_SERVER;

    private final ExecutorService inbound;
    private final ExecutorService requests;
    private final ScheduledExecutorService maintenance;
    private final EventHub events;
    private final List<Runnable> unsubscribes = new ArrayList<>();

    private final LongAdder messagesSent = new LongAdder();
    private final LongAdder localDeliveries = new LongAdder();
    private final LongAdder envelopesOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder envelopesIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder nodesLost = new LongAdder();
    private final LongAdder routingNanos = new LongAdder();

    /**
     * Starts the core on a running Hazelcast instance.
     *
     * @param hz       the instance (member or client); its lifecycle is the caller's
     * @param settings timeouts, grace periods and the clock
     */
    public Engine(HazelcastInstance hz, ClusterSettings settings) {
        this.hz = hz;
        this.settings = settings;
        this.ticker = settings.ticker();
        this.failureTimeout = settings.failureTimeout();
        this.outstanding = new PendingRequests(settings.requestTimeout());
        this.memberMode = hz.getLocalEndpoint() instanceof Member;
        this.me = NodeId.random();
        String address = String.valueOf(hz.getLocalEndpoint().getSocketAddress()).replaceFirst("^/", "");
        this.selfRecord = new NodeRecord(me, address, ticker.now(), uuidOf(hz), memberMode, false);
        this.sessions = hz.getMap(SESSIONS);
        this.users = hz.getMap(USERS);
        this.presence = new UserTable(users);
        this.roomMembers = hz.getMultiMap(ROOMS);
        this.routing = new RoutingTable(hz.getMap(INTEREST), ticker);
        this.nodes = hz.getMap(NODES);
        this.leases = hz.getMap(LEASES);
        this.eventsTopic = hz.getTopic(EVENTS);
        this.inbound = Executors.newSingleThreadExecutor(named("wsc-inbound-" + me));
        this.requests = Executors.newSingleThreadExecutor(named("wsc-requests-" + me));
        this.maintenance = Executors.newSingleThreadScheduledExecutor(named("wsc-maintenance-" + me));
        this.events = new EventHub(Executors.newSingleThreadExecutor(named("wsc-events-" + me)), this::sessionEventsWanted);
        start();
    }

    private void start() {
        sessions.addIndex(IndexType.SORTED, "__key");
        routing.start();
        unsubscribes.add(routing::stop);

        UUID nodeListener = nodes.addEntryListener(new NodeTableListener(), true);
        unsubscribes.add(() -> nodes.removeEntryListener(nodeListener));
        for (Map.Entry<String, byte[]> e : nodes.entrySet()) {
            NodeRecord record = Wire.decodeNode(e.getValue());
            directory.put(record.id(), record);
        }

        ITopic<byte[]> inbox = inbox(me);
        UUID inboxListener = inbox.addMessageListener(m -> onInbound(m.getMessageObject()));
        unsubscribes.add(() -> inbox.removeMessageListener(inboxListener));
        unsubscribes.add(() -> sessionEventsWanted(false));

        UUID membership = hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                scheduleReconcile("member " + event.getMember().getAddress() + " joined");
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                onMemberRemoved(event.getMember().getUuid().toString());
            }
        });
        unsubscribes.add(() -> hz.getCluster().removeMembershipListener(membership));
        UUID lifecycle = hz.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                scheduleReconcile("split-brain merge");
            }
        });
        unsubscribes.add(() -> hz.getLifecycleService().removeLifecycleListener(lifecycle));
        if (memberMode) {
            UUID partitions = hz.getPartitionService().addPartitionLostListener(
                    event -> scheduleReconcile("partition " + event.getPartitionId() + " lost"));
            unsubscribes.add(() -> hz.getPartitionService().removePartitionLostListener(partitions));
        }

        UUID leaseListener = leases.addEntryListener((com.hazelcast.map.listener.EntryExpiredListener<String, Long>) event -> {
            NodeId node = new NodeId(event.getKey());
            if (!node.equals(me) && !closed.get()) {
                LOG.info("node {} saw the lease of client node {} expire; removing its sessions", me, node);
                scheduleCleanup(node, ticker.now().plus(failureTimeout));
            }
        }, false);
        unsubscribes.add(() -> leases.removeEntryListener(leaseListener));
        if (memberMode) {
            Duration grace = settings.emptyRoomGrace();
            long period = settings.emptyRoomSweepPeriod().toMillis();
            maintenance.scheduleWithFixedDelay(() -> dropIdleRooms(grace), period, period, TimeUnit.MILLISECONDS);
        } else {
            renewLease();
            long period = settings.leaseRenewPeriod().toMillis();
            maintenance.scheduleWithFixedDelay(this::renewLease, period, period, TimeUnit.MILLISECONDS);
        }

        nodes.set(me.value(), Wire.encodeNode(selfRecord));
        directory.put(me, selfRecord);
        maintenance.execute(() -> reconcile("start"));
        LOG.info("wscluster node {} joined the cluster as {} {} at {} ({} node(s))", me, memberMode ? "member" : "client",
                hz.getName(), selfRecord.address(), directory.size());
    }

    // ---- identity and nodes --------------------------------------------------------------------

    /** @return this node's id */
    public NodeId localNode() {
        return me;
    }

    /** @return the live nodes, ordered by id */
    public List<Node> nodes() {
        List<Node> list = new ArrayList<>();
        for (NodeRecord r : directory.values()) {
            list.add(new Node(r.id(), r.address(), r.joinedAt()));
        }
        list.sort(Comparator.comparing(Node::id));
        return list;
    }

    /** @return this node's counters */
    public io.wscluster.ClusterStats stats() {
        return new io.wscluster.ClusterStats(messagesSent.sum(), localDeliveries.sum(), envelopesOut.sum(), bytesOut.sum(),
                envelopesIn.sum(), bytesIn.sum(), outstanding.timedOut(), nodesLost.sum(), routingNanos.sum());
    }

    /** @return the event publisher */
    public EventHub events() {
        return events;
    }

    /** @return the Hazelcast instance the core runs on */
    public HazelcastInstance hazelcast() {
        return hz;
    }

    private boolean isLive(NodeId node) {
        return directory.containsKey(node);
    }

    // ---- SessionHost (the server's side) -------------------------------------------------------

    /**
     * Attaches the local server.
     *
     * @param server writes to local sockets
     * @return this node's session host
     */
    public SessionHost attach(LocalDelivery server) {
        java.util.Objects.requireNonNull(server, "delivery");
        if (!attached.compareAndSet(false, true)) {
            throw ClusterException.alreadyAttached(me);
        }
        this.delivery = server;
        return this;
    }

    @Override
    public SessionInfo open(String path, String user, Map<String, String> attributes) {
        return open(newId(), path, user, attributes);
    }

    @Override
    public SessionId newId() {
        return SessionId.of(me, sessionSequence.incrementAndGet());
    }

    @Override
    public SessionInfo open(SessionId id, String path, String user, Map<String, String> attributes) {
        ensureOpen();
        java.util.Objects.requireNonNull(id, "id");
        java.util.Objects.requireNonNull(path, "path");
        if (user != null) {
            Names.requireUser(user);
        }
        if (!id.isOwnedBy(me)) {
            throw new IllegalArgumentException("session id '" + id + "' is not owned by node '" + me + "'");
        }
        if (local.get(id) != null) {
            throw new IllegalArgumentException("session id '" + id + "' is already registered");
        }
        SessionInfo info = new SessionInfo(id, path, user, Set.of(), attributes == null ? Map.of() : attributes, ticker.now());
        boolean online;
        synchronized (lockOf(id)) {
            local.add(info);
            try {
                sessions.set(id.value(), Wire.encodeSession(info));
                online = user != null && presence.add(user, id);
            } catch (RuntimeException e) {
                local.remove(id);
                sessions.delete(id.value());
                throw ClusterException.failed("registration of session '" + id + "'", e);
            }
        }
        publishEvent(Wire.encodeSessionEvent(Wire.EventKind.OPENED, info));
        if (online) {
            publishEvent(Wire.encodeUserEvent(Wire.EventKind.ONLINE, user, id));
        }
        return info;
    }

    @Override
    public boolean updateAttributes(SessionId session, Map<String, String> attributes) {
        synchronized (lockOf(session)) {
            SessionInfo info = local.get(session);
            if (info == null) {
                return false;
            }
            SessionInfo updated = info.withAttributes(attributes);
            local.update(updated);
            sessions.set(session.value(), Wire.encodeSession(updated));
            return true;
        }
    }

    @Override
    public boolean closed(SessionId session) {
        SessionInfo info;
        synchronized (lockOf(session)) {
            info = local.remove(session);
            if (info == null) {
                return false;
            }
            for (String room : info.rooms()) {
                publishInterest(room);
            }
        }
        try {
            deregister(info, false);
        } catch (RuntimeException e) {
            LOG.warn("deregistration of session '{}' failed; the next reconcile will remove it", session, e);
        }
        return true;
    }

    @Override
    public int openCount() {
        return local.size();
    }

    /**
     * Removes a session's shared entries (memberships, presence, record) and publishes the events
     * this call caused. Interest is not touched: the owner re-publishes its counts, a cleanup drops
     * the dead node's interest as a whole.
     */
    private void deregister(SessionInfo info, boolean lost) {
        String member = memberValue(info);
        for (String room : info.rooms()) {
            roomMembers.remove(room, member);
        }
        boolean offline = info.user().isPresent() && presence.remove(info.user().get(), info.id());
        byte[] removed = sessions.remove(info.id().value());
        if (removed != null) {
            publishEvent(Wire.encodeSessionEvent(lost ? Wire.EventKind.LOST : Wire.EventKind.CLOSED, info));
        }
        if (offline) {
            publishEvent(Wire.encodeUserEvent(Wire.EventKind.OFFLINE, info.user().get(), info.id()));
        }
    }

    // ---- Registry ------------------------------------------------------------------------------

    @Override
    public Optional<SessionInfo> session(SessionId id) {
        java.util.Objects.requireNonNull(id, "id");
        SessionInfo mine = id.isOwnedBy(me) ? local.get(id) : null;
        if (mine != null) {
            return Optional.of(mine);
        }
        byte[] bytes = sessions.get(id.value());
        return bytes == null ? Optional.empty() : Optional.of(Wire.decodeSession(bytes));
    }

    @Override
    public List<SessionInfo> sessionsOfUser(String user) {
        String[] ids = users.get(Names.requireUser(user));
        return ids == null ? List.of() : fetch(Arrays.asList(ids));
    }

    @Override
    public List<SessionInfo> sessionsInRoom(String room) {
        Collection<String> members = roomMembers.get(Names.requireRoom(room));
        List<String> ids = new ArrayList<>(members.size());
        for (String member : members) {
            int space = member.indexOf(' ');
            ids.add(space < 0 ? member : member.substring(0, space));
        }
        return fetch(ids);
    }

    @Override
    public SortedSet<String> usersInRoom(String room) {
        SortedSet<String> found = new TreeSet<>();
        for (String member : roomMembers.get(Names.requireRoom(room))) {
            int space = member.indexOf(' ');
            if (space > 0) {
                found.add(member.substring(space + 1));
            }
        }
        return found;
    }

    @Override
    public boolean isOnline(String user) {
        return users.containsKey(Names.requireUser(user));
    }

    @Override
    public List<SessionInfo> localSessions() {
        return local.all();
    }

    @Override
    public int localCount() {
        return local.size();
    }

    @Override
    public int clusterCount() {
        return sessions.size();
    }

    private List<SessionInfo> fetch(Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<SessionInfo> found = new ArrayList<>();
        for (byte[] bytes : sessions.getAll(new HashSet<>(ids)).values()) {
            found.add(Wire.decodeSession(bytes));
        }
        found.sort(Comparator.comparing(s -> s.id().value()));
        return found;
    }

    // ---- Rooms ---------------------------------------------------------------------------------

    @Override
    public CompletionStage<Boolean> join(SessionId session, String room) {
        return membership(true, session, room);
    }

    @Override
    public CompletionStage<Boolean> leave(SessionId session, String room) {
        return membership(false, session, room);
    }

    private CompletionStage<Boolean> membership(boolean join, SessionId session, String room) {
        java.util.Objects.requireNonNull(session, "session");
        Names.requireRoom(room);
        ensureOpen();
        if (session.isOwnedBy(me)) {
            try {
                return CompletableFuture.completedFuture(changeLocalMembership(join, session, room));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(ClusterException.failed((join ? "join" : "leave")
                        + " of session '" + session + "' to room '" + room + "'", e));
            }
        }
        NodeId owner = session.node();
        if (!isLive(owner)) {
            return CompletableFuture.completedFuture(false);
        }
        String what = (join ? "join" : "leave") + " of session '" + session + "' to room '" + room + "'";
        return request(owner, what, correlation -> Wire.encodeMembership(join, correlation, me, session, room))
                .thenApply(result -> result == 1);
    }

    /**
     * Changes a local session's membership; when it returns, every node routes by the change.
     *
     * @return false if the session is not open here
     */
    private boolean changeLocalMembership(boolean join, SessionId session, String room) {
        Wire.Interest gained;
        synchronized (lockOf(session)) {
            SessionInfo info = local.get(session);
            if (info == null) {
                return false;
            }
            if (info.rooms().contains(room) == join) {
                return true;
            }
            Set<String> rooms = new TreeSet<>(info.rooms());
            if (join) {
                rooms.add(room);
            } else {
                rooms.remove(room);
            }
            SessionInfo updated = info.withRooms(rooms);
            if (join) {
                sessions.set(session.value(), Wire.encodeSession(updated));
                roomMembers.put(room, memberValue(updated));
                local.update(updated);
                gained = publishInterest(room);
            } else {
                local.update(updated);
                publishInterest(room);
                roomMembers.remove(room, memberValue(updated));
                sessions.set(session.value(), Wire.encodeSession(updated));
                gained = null;
            }
        }
        if (gained != null) {
            awaitRoutingSync(room, gained);
        }
        return true;
    }

    /**
     * Writes this node's current member count of a room into the routing table.
     *
     * @return the entry written if this node just gained its first member of the room, else null
     */
    private Wire.Interest publishInterest(String room) {
        synchronized (roomLocks[Math.floorMod(room.hashCode(), STRIPES)]) {
            RoutingTable.Written written = routing.set(room, me, local.roomCount(room));
            return written != null && written.gained() ? written.entry() : null;
        }
    }

    /**
     * The join barrier: pushes the routing entry this node just wrote to every other node and waits
     * until each has applied it, so a message sent from any node right after the join reaches the
     * new member. A node that does not answer in time is logged and skipped; a dying node routes
     * nothing anyway.
     */
    private void awaitRoutingSync(String room, Wire.Interest written) {
        List<CompletableFuture<Integer>> acks = new ArrayList<>();
        for (NodeId node : directory.keySet()) {
            if (!node.equals(me)) {
                acks.add(request(node, "routing sync of room '" + room + "' to node '" + node + "'",
                        correlation -> Wire.encodeSync(correlation, me, room, written)));
            }
        }
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            LOG.warn("node {}: {}", me, e.getCause() == null ? e : e.getCause().getMessage());
        }
    }

    // ---- disconnect ----------------------------------------------------------------------------

    /**
     * Closes any session with a close code.
     *
     * @param session the session
     * @param code    the close code
     * @return true if the session was open
     */
    public CompletionStage<Boolean> disconnect(SessionId session, CloseCode code) {
        java.util.Objects.requireNonNull(session, "session");
        java.util.Objects.requireNonNull(code, "code");
        ensureOpen();
        if (session.isOwnedBy(me)) {
            return CompletableFuture.completedFuture(closeLocal(session, code));
        }
        if (!isLive(session.node())) {
            return CompletableFuture.completedFuture(false);
        }
        return request(session.node(), "disconnect of session '" + session + "'",
                correlation -> Wire.encodeDisconnect(correlation, me, session, code)).thenApply(r -> r == 1);
    }

    private boolean closeLocal(SessionId session, CloseCode code) {
        if (local.get(session) == null) {
            return false;
        }
        delivery.close(session, code);
        return true;
    }

    // ---- Messenger -----------------------------------------------------------------------------

    @Override
    public CompletionStage<Delivery> send(Target target, Message message) {
        java.util.Objects.requireNonNull(target, "target");
        java.util.Objects.requireNonNull(message, "message");
        ensureOpen();
        long start = ticker.nanos();
        messagesSent.increment();
        try {
            switch (target.kind()) {
                case SESSION:
                    return sendToSession(target, message);
                case USER:
                    return CompletableFuture.completedFuture(sendToUser(target, message));
                case ROOM:
                    return CompletableFuture.completedFuture(sendToRoom(target, message));
                default:
                    return broadcast(target, message);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e instanceof ClusterException ? e
                    : ClusterException.failed("send to " + target, e));
        } finally {
            routingNanos.add(ticker.nanos() - start);
        }
    }

    private CompletionStage<Delivery> sendToSession(Target target, Message message) {
        SessionId id = new SessionId(target.name());
        if (target.excluded().filter(id::equals).isPresent()) {
            return CompletableFuture.completedFuture(Delivery.NOBODY);
        }
        if (id.isOwnedBy(me)) {
            return CompletableFuture.completedFuture(deliverLocally(target, message) > 0 ? new Delivery(1, 1) : Delivery.NOBODY);
        }
        if (!isLive(id.node())) {
            return CompletableFuture.completedFuture(Delivery.NOBODY);
        }
        return request(id.node(), "send to session '" + id + "'",
                correlation -> Wire.encodeDeliver(correlation, me, target, message))
                .thenApply(count -> count > 0 ? new Delivery(count, 1) : Delivery.NOBODY);
    }

    private Delivery sendToUser(Target target, Message message) {
        String[] ids = users.get(target.name());
        if (ids == null) {
            return Delivery.NOBODY;
        }
        String excluded = target.excluded().map(SessionId::value).orElse(null);
        Map<NodeId, Integer> perNode = new HashMap<>();
        for (String id : ids) {
            if (!id.equals(excluded)) {
                perNode.merge(new SessionId(id).node(), 1, Integer::sum);
            }
        }
        return route(target, message, perNode);
    }

    private Delivery sendToRoom(Target target, Message message) {
        Map<NodeId, Integer> perNode = new HashMap<>(routing.nodesOf(target.name()));
        target.excluded().ifPresent(excluded -> {
            if (excluded.isOwnedBy(me)) {
                SessionInfo info = local.get(excluded);
                if (info != null && info.rooms().contains(target.name())) {
                    perNode.computeIfPresent(me, (n, c) -> c > 1 ? c - 1 : null);
                }
            }
        });
        return route(target, message, perNode);
    }

    /** Sends once to each node of {@code perNode} (and to no other), this node directly. */
    private Delivery route(Target target, Message message, Map<NodeId, Integer> perNode) {
        int sessionCount = 0;
        int nodeCount = 0;
        byte[] encoded = null;
        for (Map.Entry<NodeId, Integer> e : perNode.entrySet()) {
            NodeId node = e.getKey();
            if (node.equals(me)) {
                int delivered = deliverLocally(target, message);
                if (delivered > 0) {
                    sessionCount += delivered;
                    nodeCount++;
                }
            } else if (isLive(node)) {
                if (encoded == null) {
                    encoded = Wire.encodeDeliver(0, null, target, message);
                }
                publishTo(node, encoded);
                sessionCount += e.getValue();
                nodeCount++;
            }
        }
        return sessionCount == 0 ? Delivery.NOBODY : new Delivery(sessionCount, nodeCount);
    }

    /** Endpoint and all-sessions messages go to every node, which each report their count. */
    private CompletionStage<Delivery> broadcast(Target target, Message message) {
        int localCount = deliverLocally(target, message);
        Delivery mine = localCount > 0 ? new Delivery(localCount, 1) : Delivery.NOBODY;
        CompletableFuture<Delivery> result = CompletableFuture.completedFuture(mine);
        for (NodeId node : directory.keySet()) {
            if (node.equals(me)) {
                continue;
            }
            CompletableFuture<Delivery> remote = request(node, "broadcast to " + target,
                    correlation -> Wire.encodeDeliver(correlation, me, target, message))
                    .thenApply(count -> count > 0 ? new Delivery(count, 1) : Delivery.NOBODY);
            result = result.thenCombine(remote, Delivery::plus);
        }
        return result;
    }

    private int deliverLocally(Target target, Message message) {
        return deliverLocally(target.kind(), target.name(), target.excluded().map(SessionId::value).orElse(null), message);
    }

    private int deliverLocally(Target.Kind kind, String name, String excluded, Message message) {
        Collection<SessionId> targets = local.resolve(kind, name, excluded);
        if (!targets.isEmpty()) {
            localDeliveries.add(targets.size());
            try {
                delivery.deliver(targets, message);
            } catch (RuntimeException e) {
                LOG.warn("local delivery to {} sessions failed", targets.size(), e);
            }
        }
        return targets.size();
    }

    // ---- requests and replies between nodes ----------------------------------------------------

    private CompletableFuture<Integer> request(NodeId node, String what, java.util.function.LongFunction<byte[]> encoder) {
        return outstanding.send(node, what, encoder, this::publishTo, isLive(node));
    }

    private void reply(NodeId to, long correlation, int result) {
        if (to != null && correlation != 0 && isLive(to)) {
            publishTo(to, Wire.encodeReply(correlation, result));
        }
    }

    private void onInbound(byte[] bytes) {
        try {
            inbound.execute(() -> handle(bytes));
        } catch (RejectedExecutionException e) {
            LOG.debug("inbound message dropped: node {} is closing", me);
        }
    }

    private void handle(byte[] bytes) {
        envelopesIn.increment();
        bytesIn.add(bytes.length);
        Wire.Envelope envelope;
        try {
            envelope = Wire.decodeEnvelope(bytes);
        } catch (RuntimeException e) {
            LOG.warn("node {} dropped an undecodable inbound message of {} bytes: {}", me, bytes.length, e.getMessage());
            return;
        }
        switch (envelope.kind()) {
            case DELIVER: {
                int count = deliverLocally(envelope.targetKind(), envelope.name(), envelope.excluded(), envelope.message());
                reply(envelope.replyTo(), envelope.correlation(), count);
                break;
            }
            case JOIN:
            case LEAVE:
                requests.execute(() -> {
                    int result;
                    try {
                        result = changeLocalMembership(envelope.kind() == Wire.Kind.JOIN, new SessionId(envelope.name()),
                                envelope.room()) ? 1 : 0;
                    } catch (RuntimeException e) {
                        LOG.warn("{} of session '{}' to room '{}' failed", envelope.kind(), envelope.name(), envelope.room(), e);
                        return;
                    }
                    reply(envelope.replyTo(), envelope.correlation(), result);
                });
                break;
            case DISCONNECT:
                reply(envelope.replyTo(), envelope.correlation(),
                        closeLocal(new SessionId(envelope.name()), envelope.closeCode()) ? 1 : 0);
                break;
            case SYNC:
                routing.apply(envelope.room(), envelope.interest());
                reply(envelope.replyTo(), envelope.correlation(), 1);
                break;
            case REPLY:
                outstanding.complete(envelope.correlation(), envelope.result());
                break;
            default:
                LOG.warn("node {} ignored an inbound {}", me, envelope.kind());
        }
    }

    private void publishTo(NodeId node, byte[] envelope) {
        inbox(node).publish(envelope);
        envelopesOut.increment();
        bytesOut.add(envelope.length);
    }

    private ITopic<byte[]> inbox(NodeId node) {
        return inboxes.computeIfAbsent(node, n -> hz.getTopic(INBOX_PREFIX + n.value()));
    }

    // ---- cluster events ------------------------------------------------------------------------

    /** Subscribes to the events topic while this node has session or user event listeners (see {@link EventHub}). */
    private void sessionEventsWanted(boolean wanted) {
        synchronized (eventsTopic) {
            if (wanted && eventsListener == null && !closed.get()) {
                eventsListener = eventsTopic.addMessageListener(m -> onEvent(m.getMessageObject()));
            } else if (!wanted && eventsListener != null) {
                try {
                    eventsTopic.removeMessageListener(eventsListener);
                } finally {
                    eventsListener = null;
                }
            }
        }
    }

    private void publishEvent(byte[] event) {
        try {
            eventsTopic.publish(event);
        } catch (RuntimeException e) {
            LOG.warn("node {} could not publish a cluster event", me, e);
        }
    }

    private void onEvent(byte[] bytes) {
        Wire.Event event;
        try {
            event = Wire.decodeEvent(bytes);
        } catch (RuntimeException e) {
            LOG.warn("node {} dropped an undecodable cluster event: {}", me, e.getMessage());
            return;
        }
        switch (event.kind()) {
            case OPENED -> events.publish(new SessionOpened(event.session()));
            case CLOSED -> events.publish(new SessionClosed(event.session(), false));
            case LOST -> events.publish(new SessionClosed(event.session(), true));
            case ONLINE -> events.publish(new UserOnline(event.user(), event.sessionId()));
            case OFFLINE -> events.publish(new UserOffline(event.user(), event.sessionId()));
            default -> LOG.warn("node {} ignored cluster event {}", me, event.kind());
        }
    }

    private final class NodeTableListener implements EntryAddedListener<String, byte[]>,
            EntryUpdatedListener<String, byte[]>, EntryRemovedListener<String, byte[]> {

        @Override
        public void entryAdded(EntryEvent<String, byte[]> event) {
            NodeRecord record = Wire.decodeNode(event.getValue());
            if (directory.put(record.id(), record) == null) {
                events.publish(new NodeJoined(new Node(record.id(), record.address(), record.joinedAt())));
            }
        }

        @Override
        public void entryUpdated(EntryEvent<String, byte[]> event) {
            NodeRecord record = Wire.decodeNode(event.getValue());
            if (directory.put(record.id(), record) == null) {
                events.publish(new NodeJoined(new Node(record.id(), record.address(), record.joinedAt())));
            }
        }

        @Override
        public void entryRemoved(EntryEvent<String, byte[]> event) {
            NodeRecord old = event.getOldValue() == null ? null : Wire.decodeNode(event.getOldValue());
            NodeId id = new NodeId(event.getKey());
            NodeRecord known = directory.remove(id);
            NodeRecord record = old != null ? old : known;
            forgetNode(id);
            if (record != null) {
                events.publish(new NodeLeft(new Node(record.id(), record.address(), record.joinedAt()), !record.leaving()));
            }
        }
    }

    private void forgetNode(NodeId node) {
        if (node.equals(me)) {
            return;
        }
        outstanding.nodeGone(node);
        ITopic<byte[]> topic = inboxes.remove(node);
        if (topic != null) {
            try {
                topic.destroy();
            } catch (RuntimeException e) {
                LOG.debug("could not destroy the inbox of node {}", node, e);
            }
        }
    }

    // ---- failure handling ----------------------------------------------------------------------

    private void dropIdleRooms(Duration grace) {
        if (closed.get()) {
            return;
        }
        try {
            int dropped = routing.dropIdle(grace);
            if (dropped > 0) {
                LOG.debug("node {} deleted the routing entries of {} room(s) empty for over {} ms", me, dropped, grace.toMillis());
            }
        } catch (RuntimeException e) {
            LOG.debug("node {} could not delete idle routing entries", me, e);
        }
    }

    /** @return how many rooms this node's copy of the routing table holds (empty ones within their grace included) */
    public int routedRooms() {
        return routing.size();
    }

    private Duration leaseTtl() {
        return settings.leaseTtl();
    }

    /** Renews this client-mode node's lease; if it had expired meanwhile, re-asserts what this node owns. */
    private void renewLease() {
        if (closed.get()) {
            return;
        }
        try {
            Long previous = leases.put(me.value(), ticker.wallMillis(), leaseTtl().toMillis(), TimeUnit.MILLISECONDS);
            if (!leaseHeld.getAndSet(true)) {
                return;
            }
            if (previous == null) {
                LOG.warn("node {} found its lease expired (stalled for longer than {} ms?); the others may have removed"
                        + " its sessions, re-asserting them", me, leaseTtl().toMillis());
                scheduleReconcile("own lease expired");
            }
        } catch (RuntimeException e) {
            LOG.debug("node {} could not renew its lease", me, e);
        }
    }

    private void onMemberRemoved(String memberUuid) {
        for (NodeRecord record : directory.values()) {
            if (record.memberUuid().equals(memberUuid) && !record.id().equals(me)) {
                LOG.info("node {} saw node {} lost (member {}); removing its sessions", me, record.id(), memberUuid);
                scheduleCleanup(record.id(), ticker.now().plus(failureTimeout));
            }
        }
    }

    private void scheduleCleanup(NodeId node, Instant deadline) {
        try {
            maintenance.execute(() -> {
                try {
                    removeNode(node);
                } catch (RuntimeException e) {
                    if (closed.get()) {
                        return;
                    }
                    if (ticker.now().isAfter(deadline)) {
                        LOG.warn("cleanup of lost node {} is past its {} ms bound and still failing; retrying", node,
                                failureTimeout.toMillis(), e);
                    } else {
                        LOG.debug("cleanup of lost node {} failed; retrying", node, e);
                    }
                    maintenance.schedule(() -> scheduleCleanup(node, deadline), settings.retryDelay().toMillis(), TimeUnit.MILLISECONDS);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("cleanup of node {} skipped: node {} is closing", node, me);
        }
    }

    /** Removes every trace of a node that is gone. Idempotent; every survivor may run it at once. */
    private void removeNode(NodeId node) {
        Set<String> rooms = new HashSet<>();
        Collection<byte[]> records = sessions.values(Predicates.between("__key", node.value() + "-", node.value() + "."));
        for (byte[] bytes : records) {
            SessionInfo info = Wire.decodeSession(bytes);
            rooms.addAll(info.rooms());
            deregister(info, true);
        }
        for (String room : rooms) {
            routing.set(room, node, 0);
        }
        boolean removedRecord = nodes.remove(node.value()) != null;
        directory.remove(node);
        forgetNode(node);
        if (!records.isEmpty()) {
            LOG.info("removed {} session(s) of lost node {}", records.size(), node);
        }
        if (removedRecord || !records.isEmpty()) {
            nodesLost.increment();
        }
    }

    private void scheduleReconcile(String why) {
        try {
            maintenance.execute(() -> reconcile(why));
            maintenance.schedule(() -> reconcile(why + ", second pass"), settings.secondReconcileDelay().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("reconcile skipped: node {} is closing", me);
        }
    }

    /**
     * Makes the shared tables agree with reality: re-asserts what this node owns, removes entries
     * this node owns no more, and removes every trace of nodes that are gone. Runs after a merge, a
     * member joining or a partition loss; the full scans here are kept off every other path.
     */
    private void reconcile(String why) {
        if (closed.get()) {
            return;
        }
        try {
            LOG.debug("node {} reconciling ({})", me, why);
            routing.reload();
            reassertLocal();
            removeOwnStale();
            if (memberMode) {
                sweepGoneNodes();
            }
        } catch (RuntimeException e) {
            if (!closed.get()) {
                LOG.warn("node {} could not reconcile ({}); will retry", me, why, e);
                maintenance.schedule(() -> reconcile(why), settings.retryDelay().toMillis() * 4, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void reassertLocal() {
        nodes.set(me.value(), Wire.encodeNode(selfRecord.withMemberUuid(uuidOf(hz))));
        for (SessionInfo snapshot : local.all()) {
            synchronized (lockOf(snapshot.id())) {
                // re-read under the lock: a join, leave or attribute change since the snapshot wins
                SessionInfo info = local.get(snapshot.id());
                if (info == null) {
                    continue;
                }
                boolean reappeared = sessions.put(info.id().value(), Wire.encodeSession(info)) == null;
                boolean online = info.user().isPresent() && presence.add(info.user().get(), info.id());
                for (String room : info.rooms()) {
                    roomMembers.put(room, memberValue(info));
                }
                // Others saw it lost (a split); tell them it is back, so their event stream stays true.
                if (reappeared) {
                    publishEvent(Wire.encodeSessionEvent(Wire.EventKind.OPENED, info));
                }
                if (online) {
                    publishEvent(Wire.encodeUserEvent(Wire.EventKind.ONLINE, info.user().get(), info.id()));
                }
            }
        }
        for (String room : local.rooms()) {
            publishInterest(room);
        }
    }

    private void removeOwnStale() {
        for (byte[] bytes : sessions.values(Predicates.between("__key", me.value() + "-", me.value() + "."))) {
            SessionInfo info = Wire.decodeSession(bytes);
            if (local.get(info.id()) == null) {
                deregister(info, false);
            }
        }
    }

    /** Removes entries of nodes that are not members any more, including those whose records were lost. */
    private void sweepGoneNodes() {
        Set<String> liveMembers = new HashSet<>();
        for (Member member : hz.getCluster().getMembers()) {
            liveMembers.add(member.getUuid().toString());
        }
        Set<NodeId> live = new HashSet<>();
        for (byte[] bytes : nodes.values()) {
            NodeRecord record = Wire.decodeNode(bytes);
            boolean gone = record.member() ? !liveMembers.contains(record.memberUuid()) : !leases.containsKey(record.id().value());
            if (gone && !record.id().equals(me)) {
                removeNode(record.id());
            } else {
                live.add(record.id());
                directory.putIfAbsent(record.id(), record);
            }
        }
        for (NodeId known : new ArrayList<>(directory.keySet())) {
            if (!live.contains(known)) {
                directory.remove(known);
                forgetNode(known);
            }
        }
        Set<NodeId> orphans = new HashSet<>();
        for (String id : sessions.keySet()) {
            NodeId owner = new SessionId(id).node();
            if (!live.contains(owner)) {
                orphans.add(owner);
            }
        }
        for (NodeId orphan : orphans) {
            removeNode(orphan);
        }
        for (Map.Entry<String, String> member : roomMembers.entrySet()) {
            if (!live.contains(ownerOfMember(member.getValue()))) {
                roomMembers.remove(member.getKey(), member.getValue());
            }
        }
        for (Map.Entry<String, String[]> user : users.entrySet()) {
            for (String id : user.getValue()) {
                SessionId session = new SessionId(id);
                if (!live.contains(session.node()) && presence.remove(user.getKey(), session)) {
                    publishEvent(Wire.encodeUserEvent(Wire.EventKind.OFFLINE, user.getKey(), session));
                }
            }
        }
        for (Map.Entry<String, Wire.Interest> entry : routing.readAll().entrySet()) {
            for (NodeId owner : entry.getValue().counts().keySet()) {
                if (!live.contains(owner)) {
                    routing.set(entry.getKey(), owner, 0);
                }
            }
        }
    }

    // ---- shutdown ------------------------------------------------------------------------------

    /** @return true once {@link #close()} has begun */
    public boolean isClosed() {
        return closed.get();
    }

    /** Deregisters every local session, removes this node from the node table and stops the core. */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            for (SessionInfo info : local.all()) {
                closedQuietly(info.id());
            }
            nodes.set(me.value(), Wire.encodeNode(selfRecord.asLeaving()));
            nodes.remove(me.value());
            if (!memberMode) {
                leases.delete(me.value());
            }
        } catch (RuntimeException e) {
            LOG.warn("node {} could not deregister cleanly; the others will clean up after it", me, e);
        }
        stop();
        LOG.info("wscluster node {} left the cluster", me);
    }

    /** Stops threads and listeners without touching shared data (the instance is gone or going). */
    public void stop() {
        closed.set(true);
        for (Runnable unsubscribe : unsubscribes) {
            try {
                unsubscribe.run();
            } catch (RuntimeException e) {
                LOG.debug("listener removal failed", e);
            }
        }
        inbound.shutdownNow();
        requests.shutdownNow();
        maintenance.shutdownNow();
        events.shutdown();
        outstanding.failAll(me);
    }

    private void closedQuietly(SessionId id) {
        SessionInfo info;
        synchronized (lockOf(id)) {
            info = local.remove(id);
            if (info == null) {
                return;
            }
            for (String room : info.rooms()) {
                publishInterest(room);
            }
        }
        deregister(info, false);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw ClusterException.closed(me);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Object lockOf(SessionId id) {
        return sessionLocks[Math.floorMod(id.hashCode(), STRIPES)];
    }

    private static Object[] stripes() {
        Object[] locks = new Object[STRIPES];
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
        return locks;
    }

    private static NodeId ownerOfMember(String member) {
        int space = member.indexOf(' ');
        return new SessionId(space < 0 ? member : member.substring(0, space)).node();
    }

    private static String memberValue(SessionInfo info) {
        return info.user().map(user -> info.id().value() + " " + user).orElse(info.id().value());
    }

    private static String uuidOf(HazelcastInstance hz) {
        return hz.getLocalEndpoint().getUuid().toString();
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
