package io.wscluster.hazelcast.internal;

import io.wscluster.CloseCode;
import io.wscluster.ClusterException;
import io.wscluster.Delivery;
import io.wscluster.HistorySettings;
import io.wscluster.Message;
import io.wscluster.Messenger;
import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The router: turns a target into the nodes that must receive a message, and sends it there.
 *
 * <p>Design notes. A session message goes to the owner named by the session id, with no lookup. A
 * room message goes once to each node that holds members of the room, read from this node's copy
 * of the routing table ({@link RoutingTable}, no network call); a user message once to each node
 * that holds a session of the user, read from this node's copy of presence ({@link UserRoutes}, no
 * network call either). Each receiving node fans out to its own
 * sessions. One publish costs one message per interested node, never one per session, and a node
 * with no member receives nothing. The counts a room or user send reports are those of the table
 * (the receivers do not reply); session, endpoint and all-session sends ask each node and add up
 * the replies. This node delivers to its own sessions directly, on the caller's thread.
 */
final class Router implements Messenger {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final NodeContext context;
    private final SharedTables tables;
    private final SessionRegistry registry;
    private final NodeLink link;
    private final LiveNodes live;
    private final RoomHistory history;

    Router(NodeContext context, SharedTables tables, SessionRegistry registry, NodeLink link, LiveNodes live,
           RoomHistory history) {
        this.history = history;
        this.context = context;
        this.tables = tables;
        this.registry = registry;
        this.link = link;
        this.live = live;
    }

    @Override
    public CompletionStage<Delivery> send(Target target, Message message) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(message, "message");
        context.ensureOpen();
        long start = context.ticker.nanos();
        context.counters.messagesSent.increment();
        try {
            if (target.kind() != Target.Kind.SESSION || !new SessionId(target.name()).isOwnedBy(context.id)) {
                context.quarantine.checkServing();
            }
            switch (target.kind()) {
                case SESSION:
                    return sendToSession(target, message);
                case USER:
                    return CompletableFuture.completedFuture(sendToUser(target, message));
                case ROOM: {
                    Optional<HistorySettings.Rule> rule = history.ruleFor(target.name());
                    return rule.isPresent() ? history.send(target, message, rule.get())
                            : CompletableFuture.completedFuture(sendToRoom(target, message));
                }
                default:
                    return broadcast(target, message);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e instanceof ClusterException ? e
                    : ClusterException.failed("send to " + target, e));
        } finally {
            context.counters.routingNanos.add(context.ticker.nanos() - start);
        }
    }

    /**
     * Closes any session with a close code.
     *
     * @param session the session
     * @param code    the close code
     * @return true if the session was open
     */
    CompletionStage<Boolean> disconnect(SessionId session, CloseCode code) {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(code, "code");
        context.ensureOpen();
        if (session.isOwnedBy(context.id)) {
            return CompletableFuture.completedFuture(registry.closeLocal(session, code));
        }
        if (!live.isLive(session.node())) {
            return CompletableFuture.completedFuture(false);
        }
        return link.request(session.node(), "disconnect of session '" + session + "'",
                correlation -> Envelope.encodeDisconnect(correlation, context.id, session, code)).thenApply(r -> r == 1);
    }

    private CompletionStage<Delivery> sendToSession(Target target, Message message) {
        SessionId id = new SessionId(target.name());
        if (target.excluded().filter(id::equals).isPresent()) {
            return CompletableFuture.completedFuture(Delivery.NOBODY);
        }
        if (id.isOwnedBy(context.id)) {
            return CompletableFuture.completedFuture(deliverLocally(target, message) > 0 ? new Delivery(1, 1) : Delivery.NOBODY);
        }
        if (!live.isLive(id.node())) {
            return CompletableFuture.completedFuture(Delivery.NOBODY);
        }
        return link.request(id.node(), "send to session '" + id + "'",
                correlation -> Envelope.encodeDeliver(correlation, context.id, target, message))
                .thenApply(count -> count > 0 ? new Delivery(count, 1) : Delivery.NOBODY);
    }

    /** Routes by this node's copy of presence ({@link UserRoutes}) and its own index: no network call. */
    private Delivery sendToUser(Target target, Message message) {
        String user = target.name();
        NodeId me = context.id;
        Map<NodeId, Integer> perNode = tables.userRoutes.nodesOf(user);
        boolean mine = registry.local().hasUser(user);
        String excluded = target.excluded().map(SessionId::value).orElse(null);
        if (mine != perNode.containsKey(me) || excluded != null) {
            perNode = new HashMap<>(perNode);
            if (mine) {
                perNode.putIfAbsent(me, 1); // the count comes from the local delivery
            } else {
                perNode.remove(me);
            }
            if (excluded != null) {
                NodeId owner = new SessionId(excluded).node();
                if (!owner.equals(me) && tables.userRoutes.names(user, excluded)) {
                    perNode.computeIfPresent(owner, (n, c) -> c > 1 ? c - 1 : null);
                }
            }
        }
        return perNode.isEmpty() ? Delivery.NOBODY : route(target, message, perNode);
    }

    private Delivery sendToRoom(Target target, Message message) {
        NodeId me = context.id;
        Map<NodeId, Integer> perNode = new HashMap<>(tables.routing.nodesOf(target.name()));
        target.excluded().ifPresent(excluded -> {
            if (excluded.isOwnedBy(me)) {
                SessionInfo info = registry.local().get(excluded);
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
            if (node.equals(context.id)) {
                int delivered = deliverLocally(target, message);
                if (delivered > 0) {
                    sessionCount += delivered;
                    nodeCount++;
                }
            } else if (live.isLive(node)) {
                if (encoded == null) {
                    encoded = Envelope.encodeDeliver(0, null, target, message);
                }
                link.publishTo(node, encoded);
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
        for (NodeId node : live.ids()) {
            if (node.equals(context.id)) {
                continue;
            }
            CompletableFuture<Delivery> remote = link.request(node, "broadcast to " + target,
                    correlation -> Envelope.encodeDeliver(correlation, context.id, target, message))
                    .thenApply(count -> count > 0 ? new Delivery(count, 1) : Delivery.NOBODY);
            result = result.thenCombine(remote, Delivery::plus);
        }
        return result;
    }

    private int deliverLocally(Target target, Message message) {
        return deliverLocally(target.kind(), target.name(), target.excluded().map(SessionId::value).orElse(null), message);
    }

    /**
     * Writes a message to the local sessions a target names.
     *
     * @return how many sessions it was handed to
     */
    int deliverLocally(Target.Kind kind, String name, String excluded, Message message) {
        Collection<SessionId> targets = registry.local().resolve(kind, name, excluded);
        if (!targets.isEmpty()) {
            context.counters.localDeliveries.add(targets.size());
            try {
                registry.delivery().deliver(targets, message);
            } catch (RuntimeException e) {
                LOG.warn("local delivery to {} sessions failed", targets.size(), e);
            }
        }
        return targets.size();
    }
}
