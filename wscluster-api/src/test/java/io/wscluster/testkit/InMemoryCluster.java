package io.wscluster.testkit;

import io.wscluster.CloseCode;
import io.wscluster.Cluster;
import io.wscluster.ClusterException;
import io.wscluster.ClusterStats;
import io.wscluster.Messenger;
import io.wscluster.Names;
import io.wscluster.Node;
import io.wscluster.NodeId;
import io.wscluster.Registry;
import io.wscluster.HistoryMessage;
import io.wscluster.HistorySettings;
import io.wscluster.JoinResult;
import io.wscluster.Replay;
import io.wscluster.Rooms;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.event.ClusterEvents;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.spi.SessionHost;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * One logical node of an in-memory cluster: a {@link Cluster} for tests, in one JVM, with no
 * network and no waiting. Made by {@link InMemoryNetwork#newNode()}; several nodes of one network
 * form one cluster and see each other's sessions, rooms and events.
 *
 * <p>Every call completes before it returns: a join is visible everywhere, a message has been handed
 * to the receiving nodes' servers, and a {@link #close()} or {@link #crash()} has removed the node's
 * sessions. Events arrive on one event thread ({@link InMemoryNetwork#awaitEvents()} waits for
 * them). After {@link #close()} or {@link #crash()} the node accepts no more work: the stages of
 * {@link #messenger()}, {@link #rooms()} and {@link #disconnect} complete exceptionally with
 * {@link ClusterException}, and the other calls throw it.
 */
public final class InMemoryCluster implements Cluster {

    /** The counters behind {@link #stats()}. */
    static final class Counters {
        final LongAdder messagesSent = new LongAdder();
        final LongAdder localDeliveries = new LongAdder();
        final LongAdder envelopesOut = new LongAdder();
        final LongAdder bytesOut = new LongAdder();
        final LongAdder envelopesIn = new LongAdder();
        final LongAdder bytesIn = new LongAdder();
        final LongAdder nodesLost = new LongAdder();
        final LongAdder routingNanos = new LongAdder();
        final LongAdder replaysServed = new LongAdder();
        final LongAdder messagesReplayed = new LongAdder();
        final LongAdder recoveriesRefused = new LongAdder();
    }

    private final InMemoryNetwork network;
    private final Node self;
    private final Counters counters = new Counters();
    private final InMemoryEvents hub = new InMemoryEvents();
    private final InMemorySessions sessions;
    private final InMemoryRouter router;
    private final Rooms rooms = new Rooms() {
        @Override
        public CompletionStage<Boolean> join(SessionId session, String room) {
            if (network.history().ruleFor(room).isPresent()) {
                return join(session, room, Replay.none()).thenApply(JoinResult::joined);
            }
            return membership(true, session, room);
        }

        @Override
        public CompletionStage<JoinResult> join(SessionId session, String room, Replay replay) {
            Objects.requireNonNull(replay, "replay");
            Objects.requireNonNull(session, "session");
            Names.requireRoom(room);
            Optional<HistorySettings.Rule> rule = network.history().ruleFor(room);
            if (rule.isEmpty()) {
                return join(session, room).thenApply(joined -> joined ? JoinResult.JOINED : JoinResult.NOT_OPEN);
            }
            if (closed) {
                return CompletableFuture.failedFuture(ClusterException.closed(localNode()));
            }
            InMemoryCluster owner;
            synchronized (network.lock()) {
                owner = network.liveNode(session.node());
            }
            if (owner == null) {
                return CompletableFuture.completedFuture(JoinResult.NOT_OPEN);
            }
            countRequest(owner);
            return CompletableFuture.completedFuture(network.history().join(owner, session, room, replay, rule.get()));
        }

        @Override
        public CompletionStage<List<HistoryMessage>> history(String room, int last) {
            Names.requireRoom(room);
            Replay.last(last);
            if (closed) {
                return CompletableFuture.failedFuture(ClusterException.closed(localNode()));
            }
            return CompletableFuture.completedFuture(network.history().read(room, last));
        }

        @Override
        public CompletionStage<Boolean> leave(SessionId session, String room) {
            return membership(false, session, room);
        }
    };
    private final AtomicBoolean attached = new AtomicBoolean();
    private volatile LocalDelivery server;
    private volatile boolean closed;

    InMemoryCluster(InMemoryNetwork network, Node self) {
        this.network = network;
        this.self = self;
        this.sessions = new InMemorySessions(network, this);
        this.router = new InMemoryRouter(network, this);
    }

    @Override
    public NodeId localNode() {
        return self.id();
    }

    @Override
    public List<Node> nodes() {
        synchronized (network.lock()) {
            return network.liveNodes();
        }
    }

    @Override
    public Registry registry() {
        return sessions;
    }

    @Override
    public Rooms rooms() {
        return rooms;
    }

    @Override
    public Messenger messenger() {
        return router;
    }

    @Override
    public ClusterEvents events() {
        return hub;
    }

    @Override
    public ClusterStats stats() {
        Counters c = counters;
        return new ClusterStats(c.messagesSent.sum(), c.localDeliveries.sum(), c.envelopesOut.sum(), c.bytesOut.sum(),
                c.envelopesIn.sum(), c.bytesIn.sum(), 0, c.nodesLost.sum(), c.routingNanos.sum(),
                historyRooms(), c.replaysServed.sum(), c.messagesReplayed.sum(), c.recoveriesRefused.sum(), 0, 0);
    }

    @Override
    public CompletionStage<Boolean> disconnect(SessionId session, CloseCode code) {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(code, "code");
        if (closed) {
            return CompletableFuture.failedFuture(ClusterException.closed(localNode()));
        }
        InMemoryCluster owner;
        synchronized (network.lock()) {
            owner = network.session(session) == null ? null : network.liveNode(session.node());
        }
        if (owner == null) {
            return CompletableFuture.completedFuture(false);
        }
        countRequest(owner);
        owner.server().close(session, code);
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public SessionHost attachServer(LocalDelivery delivery) {
        Objects.requireNonNull(delivery, "delivery");
        ensureOpen();
        if (!attached.compareAndSet(false, true)) {
            throw ClusterException.alreadyAttached(localNode());
        }
        this.server = delivery;
        return sessions;
    }

    /** Leaves the cluster: its sessions are closed ({@code nodeLost} false) and the others see it leave. Idempotent. */
    @Override
    public void close() {
        leave(false);
    }

    /** Dies at once: its sessions vanish as lost and the others see it lost. Idempotent; for node-loss tests. */
    public void crash() {
        leave(true);
    }

    @Override
    public String toString() {
        return "InMemoryCluster{node=" + localNode() + (closed ? ", closed" : "") + '}';
    }

    private void leave(boolean lost) {
        synchronized (network.lock()) {
            if (closed) {
                return;
            }
            closed = true;
            network.remove(this, lost);
        }
        hub.shutdown();
    }

    /** The in-memory cluster holds every sequence on its first live node (by id). */
    private long historyRooms() {
        synchronized (network.lock()) {
            List<Node> live = network.liveNodes();
            return !live.isEmpty() && live.get(0).id().equals(localNode()) ? network.history().rooms() : 0;
        }
    }

    private CompletionStage<Boolean> membership(boolean join, SessionId session, String room) {
        Objects.requireNonNull(session, "session");
        Names.requireRoom(room);
        if (closed) {
            return CompletableFuture.failedFuture(ClusterException.closed(localNode()));
        }
        synchronized (network.lock()) {
            SessionInfo info = network.session(session);
            InMemoryCluster owner = network.liveNode(session.node());
            if (info == null || owner == null) {
                return CompletableFuture.completedFuture(false);
            }
            countRequest(owner);
            if (info.rooms().contains(room) != join) {
                Set<String> changed = new TreeSet<>(info.rooms());
                if (join) {
                    changed.add(room);
                } else {
                    changed.remove(room);
                }
                network.update(info.withRooms(changed));
            }
            return CompletableFuture.completedFuture(true);
        }
    }

    /** Counts a request from this node to another one, as a backend would send it. */
    private void countRequest(InMemoryCluster owner) {
        if (owner != this) {
            counters.envelopesOut.increment();
            owner.counters.envelopesIn.increment();
        }
    }

    void ensureOpen() {
        if (closed) {
            throw ClusterException.closed(localNode());
        }
    }

    boolean isClosed() {
        return closed;
    }

    Node self() {
        return self;
    }

    Counters counters() {
        return counters;
    }

    InMemoryEvents hub() {
        return hub;
    }

    /** @return the attached server, or null before one attached */
    LocalDelivery server() {
        return server;
    }
}
