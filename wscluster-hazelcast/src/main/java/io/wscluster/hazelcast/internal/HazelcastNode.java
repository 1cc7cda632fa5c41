package io.wscluster.hazelcast.internal;

import com.hazelcast.config.IndexType;
import com.hazelcast.core.HazelcastInstance;
import io.wscluster.CloseCode;
import io.wscluster.ClusterStats;
import io.wscluster.HistorySettings;
import io.wscluster.Messenger;
import io.wscluster.Node;
import io.wscluster.NodeId;
import io.wscluster.Registry;
import io.wscluster.Rooms;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.event.ClusterEvents;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.spi.SessionHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The cluster core of one node on a running Hazelcast instance, assembled from its layers:
 * <ul>
 * <li>{@link NodeContext}: id, instance, settings, clock, threads, counters;</li>
 * <li>{@link SharedTables}: the cluster-wide maps and topics;</li>
 * <li>{@link NodeLink}: per-node inbox topics and requests with replies, served by {@link PeerRequests};</li>
 * <li>{@link EventTopic}: session and user events between nodes, and the local publisher;</li>
 * <li>{@link SessionRegistry}: the local server's side ({@link SessionHost}) and the {@link Registry};</li>
 * <li>{@link RoomMembership}: joins and leaves, with the join barrier;</li>
 * <li>{@link Router}: the {@link Messenger}, targets to nodes;</li>
 * <li>{@link RoomHistory}: history rooms, their sequence, ordered streams and joins with replay;</li>
 * <li>{@link NodeTable}, {@link Failover} and {@link Liveness}: the node table, cleanup after lost
 * nodes, reconcile and sweeps, leases for client-mode nodes;</li>
 * <li>{@link Quarantine}: a node that stalled or was cut off serves no client until it re-entered.</li>
 * </ul>
 * This class wires them, starts them in order and stops them; it holds no cluster logic.
 */
public final class HazelcastNode {

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastNode.class);

    private final NodeContext context;
    private final SharedTables tables;
    private final LiveNodes live = new LiveNodes();
    private final NodeLink link;
    private final EventTopic events;
    private final SessionRegistry registry;
    private final RoomHistory history;
    private final RoomMembership rooms;
    private final Router router;
    private final PeerRequests peers;
    private final Liveness liveness;
    private final NodeTable nodeTable;
    private final Failover failover;
    private final MemberTrust trust;
    private final List<Runnable> unsubscribes = new ArrayList<>();

    /**
     * Starts the core on a running Hazelcast instance.
     *
     * @param hz       the instance (member or client); its lifecycle is the caller's
     * @param settings timeouts, grace periods and the clock
     */
    public HazelcastNode(HazelcastInstance hz, ClusterSettings settings) {
        this(hz, settings, null, HistorySettings.none());
    }

    /**
     * Starts the core on a running Hazelcast instance, authenticating what it sends and trusts with
     * a cluster secret ({@link Seal}).
     *
     * @param hz       the instance (member or client); its lifecycle is the caller's
     * @param settings timeouts, grace periods and the clock
     * @param secret   the cluster secret, or null for none (nothing is sealed or checked)
     */
    public HazelcastNode(HazelcastInstance hz, ClusterSettings settings, byte[] secret) {
        this(hz, settings, secret, HistorySettings.none());
    }

    /**
     * Starts the core on a running Hazelcast instance, with room history.
     *
     * @param hz       the instance (member or client); its lifecycle is the caller's
     * @param settings timeouts, grace periods and the clock
     * @param history  which rooms keep history
     */
    public HazelcastNode(HazelcastInstance hz, ClusterSettings settings, HistorySettings history) {
        this(hz, settings, null, history);
    }

    /**
     * Starts the core on a running Hazelcast instance, with a cluster secret and room history.
     *
     * @param hz       the instance (member or client); its lifecycle is the caller's
     * @param settings timeouts, grace periods and the clock
     * @param secret   the cluster secret, or null for none (nothing is sealed or checked)
     * @param history  which rooms keep history
     */
    public HazelcastNode(HazelcastInstance hz, ClusterSettings settings, byte[] secret, HistorySettings history) {
        NodeId id = NodeId.random();
        this.context = new NodeContext(id, hz, settings, Seal.of(secret));
        this.tables = new SharedTables(hz, context.ticker, context.seal, id);
        this.link = new NodeLink(context, live);
        this.events = new EventTopic(context, tables);
        LocalSessions local = new LocalSessions();
        NodeInterest interest = new NodeInterest(context.id, tables.routing, local);
        this.registry = new SessionRegistry(context, tables, events, local, interest,
                new UserAnnouncer(context, link, live, local));
        this.history = new RoomHistory(context, tables, registry, live, history);
        this.rooms = new RoomMembership(context, tables, registry, interest, link, live, this.history);
        this.router = new Router(context, tables, registry, link, live, this.history);
        this.peers = new PeerRequests(context, link, router, rooms, registry, tables.routing, tables.userRoutes);
        this.liveness = Liveness.of(context, tables);
        this.nodeTable = new NodeTable(context, tables, live, link, events.hub(), liveness.member());
        this.failover = new Failover(context, tables, live, nodeTable, registry, interest, events, liveness);
        this.trust = new MemberTrust(context, live);
        start();
    }

    private void start() {
        tables.sessions.addIndex(IndexType.SORTED, "__key");
        tables.routing.start();
        unsubscribes.add(tables.routing::stop);
        tables.userRoutes.start();
        unsubscribes.add(tables.userRoutes::stop);
        unsubscribes.add(nodeTable.follow());
        unsubscribes.add(link.listen(peers::serve));
        unsubscribes.add(history.listen());
        unsubscribes.add(events::unsubscribe);
        failover.start(unsubscribes);
        context.quarantine.start(liveness, new Quarantine.Hooks() {
            @Override
            public void closeLocalSessions() {
                registry.closeAllLocal(new CloseCode(CloseCode.SERVICE_RESTART, "node re-entering the cluster: reconnect"));
            }

            @Override
            public void reconcileNow(String why) {
                failover.reconcileNow(why);
            }
        });
        nodeTable.register();
        nodeTable.startResync();
        failover.reconcileOnce("start");
        if (context.seal.isOn()) {
            trust.start();
        }
        LOG.info("wscluster node {} joined the cluster as {} {} at {} ({} node(s)){}", context.id, liveness.kind(),
                context.hazelcast.getName(), nodeTable.self().address(), live.size(),
                context.seal.isOn() ? "; cluster messages and records are authenticated with the cluster secret" : "");
    }

    /** @return this node's copy of the node table (tests in this package) */
    LiveNodes liveNodes() {
        return live;
    }

    /** @return this node's id */
    public NodeId localNode() {
        return context.id;
    }

    /** @return the live nodes, ordered by id */
    public List<Node> nodes() {
        return live.nodes();
    }

    /** @return why this node serves no client now (quarantined), or empty while it serves */
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(context.quarantine.reason());
    }

    /** @return the registry */
    public Registry registry() {
        return registry;
    }

    /** @return room membership */
    public Rooms rooms() {
        return rooms;
    }

    /** @return the messenger */
    public Messenger messenger() {
        return router;
    }

    /** @return the event publisher */
    public ClusterEvents events() {
        return events.hub();
    }

    /** @return this node's counters */
    public ClusterStats stats() {
        NodeContext.Counters c = context.counters;
        return new ClusterStats(c.messagesSent.sum(), c.localDeliveries.sum(), c.envelopesOut.sum(), c.bytesOut.sum(),
                c.envelopesIn.sum(), c.bytesIn.sum(), link.timedOut(), c.nodesLost.sum(), c.routingNanos.sum(),
                history.historyRooms(), history.replaysServed(), history.messagesReplayed(), history.recoveriesRefused(), context.seal.rejected(), trust.untrusted());
    }

    /**
     * Attaches the local server.
     *
     * @param server writes to local sockets
     * @return this node's session host
     */
    public SessionHost attach(LocalDelivery server) {
        return registry.attach(server);
    }

    /**
     * Closes any session with a close code.
     *
     * @param session the session
     * @param code    the close code
     * @return true if the session was open
     */
    public CompletionStage<Boolean> disconnect(SessionId session, CloseCode code) {
        return router.disconnect(session, code);
    }

    /** @return how many rooms this node's copy of the routing table holds (empty ones within their grace included) */
    public int routedRooms() {
        return tables.routing.size();
    }

    /** Deregisters every local session, removes this node from the node table and stops the core. */
    public void close() {
        if (!context.beginClose()) {
            return;
        }
        try {
            for (SessionInfo info : registry.local().all()) {
                registry.closeQuietly(info.id());
            }
            nodeTable.leave();
            liveness.leave();
        } catch (RuntimeException e) {
            LOG.warn("node {} could not deregister cleanly; the others will clean up after it", context.id, e);
        }
        stop();
        LOG.info("wscluster node {} left the cluster", context.id);
    }

    /** Stops threads and listeners without touching shared data (the instance is gone or going). */
    public void stop() {
        context.markClosed();
        for (Runnable unsubscribe : unsubscribes) {
            try {
                unsubscribe.run();
            } catch (RuntimeException e) {
                LOG.debug("listener removal failed", e);
            }
        }
        context.shutdownThreads();
        events.hub().shutdown();
        link.failAll();
    }
}
