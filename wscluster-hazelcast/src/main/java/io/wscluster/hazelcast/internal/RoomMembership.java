package io.wscluster.hazelcast.internal;

import io.wscluster.ClusterException;
import io.wscluster.Names;
import io.wscluster.NodeId;
import io.wscluster.HistoryMessage;
import io.wscluster.HistorySettings;
import io.wscluster.JoinResult;
import io.wscluster.Replay;
import io.wscluster.Rooms;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Room membership: joins and leaves of local and remote sessions.
 *
 * <p>Design notes. Only a session's owner changes its memberships: a join or leave of a remote
 * session is sent to the owner as a request, and answered once done there. The owner writes, under
 * the session's lock, the record, then the membership, then its interest count for the room; a
 * leave undoes them in reverse. When the owner just gained its first member of a room, the routing
 * copies of the other nodes may still lag; so before the join completes, the owner pushes the entry
 * it wrote to every live node and waits for each to apply it (the join barrier). A message sent
 * from any node after the join completes therefore reaches the new member. A node that does not
 * answer in time is logged and skipped; a dying node routes nothing anyway.
 */
final class RoomMembership implements Rooms {

    private static final Logger LOG = LoggerFactory.getLogger(RoomMembership.class);

    private final NodeContext context;
    private final SharedTables tables;
    private final SessionRegistry registry;
    private final NodeInterest interest;
    private final NodeLink link;
    private final LiveNodes live;
    private final RoomHistory history;

    RoomMembership(NodeContext context, SharedTables tables, SessionRegistry registry, NodeInterest interest, NodeLink link,
                   LiveNodes live, RoomHistory history) {
        this.history = history;
        this.context = context;
        this.tables = tables;
        this.registry = registry;
        this.interest = interest;
        this.link = link;
        this.live = live;
    }

    @Override
    public CompletionStage<Boolean> join(SessionId session, String room) {
        return membership(true, session, room);
    }

    @Override
    public CompletionStage<JoinResult> join(SessionId session, String room, Replay replay) {
        Objects.requireNonNull(replay, "replay");
        Objects.requireNonNull(session, "session");
        Names.requireRoom(room);
        Optional<HistorySettings.Rule> rule = history.ruleFor(room);
        if (rule.isEmpty()) {
            return join(session, room).thenApply(joined -> joined ? JoinResult.JOINED : JoinResult.NOT_OPEN);
        }
        context.ensureOpen();
        if (!session.isOwnedBy(context.id)) {
            return CompletableFuture.failedFuture(ClusterException.failed("join with a replay of session '" + session
                    + "' to history room '" + room + "'", new UnsupportedOperationException(
                    "a join with a replay is made on the session's own node '" + session.node() + "'")));
        }
        try {
            return CompletableFuture.completedFuture(history.join(session, room, replay, rule.get(),
                    () -> writeMembership(true, session, room)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e instanceof ClusterException ? e
                    : ClusterException.failed("join of session '" + session + "' to room '" + room + "'", e));
        }
    }

    @Override
    public CompletionStage<List<HistoryMessage>> history(String room, int last) {
        Names.requireRoom(room);
        Replay.last(last);
        context.ensureOpen();
        return history.history(room, last);
    }

    @Override
    public CompletionStage<Boolean> leave(SessionId session, String room) {
        return membership(false, session, room);
    }

    private CompletionStage<Boolean> membership(boolean join, SessionId session, String room) {
        Objects.requireNonNull(session, "session");
        Names.requireRoom(room);
        context.ensureOpen();
        context.quarantine.checkServing();
        NodeId me = context.id;
        if (session.isOwnedBy(me)) {
            try {
                return CompletableFuture.completedFuture(changeLocal(join, session, room));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(ClusterException.failed((join ? "join" : "leave")
                        + " of session '" + session + "' to room '" + room + "'", e));
            }
        }
        NodeId owner = session.node();
        if (!live.isLive(owner)) {
            return CompletableFuture.completedFuture(false);
        }
        String what = (join ? "join" : "leave") + " of session '" + session + "' to room '" + room + "'";
        return link.request(owner, what, correlation -> Envelope.encodeMembership(join, correlation, me, session, room))
                .thenApply(result -> result == 1);
    }

    /**
     * Changes a local session's membership; when it returns, every node routes by the change.
     *
     * @return false if the session is not open here
     */
    boolean changeLocal(boolean join, SessionId session, String room) {
        Optional<HistorySettings.Rule> rule = history.ruleFor(room);
        if (rule.isPresent() && join) {
            return history.join(session, room, Replay.none(), rule.get(), () -> writeMembership(true, session, room)).joined();
        }
        int outcome = writeMembership(join, session, room);
        if (rule.isPresent() && outcome != RoomHistory.NOT_OPEN) {
            history.left(session, room);
        }
        return outcome != RoomHistory.NOT_OPEN;
    }

    /**
     * Writes a local session's membership change; when it returns, every node routes by it.
     *
     * @return {@link RoomHistory#NOT_OPEN}, {@link RoomHistory#CHANGED} or {@link RoomHistory#UNCHANGED}
     */
    private int writeMembership(boolean join, SessionId session, String room) {
        LocalSessions local = registry.local();
        RoutingEntry gained;
        synchronized (registry.lockOf(session)) {
            SessionInfo info = local.get(session);
            if (info == null) {
                return RoomHistory.NOT_OPEN;
            }
            if (info.rooms().contains(room) == join) {
                return RoomHistory.UNCHANGED;
            }
            Set<String> rooms = new TreeSet<>(info.rooms());
            if (join) {
                rooms.add(room);
            } else {
                rooms.remove(room);
            }
            SessionInfo updated = info.withRooms(rooms);
            if (join) {
                tables.sessions.set(session.value(), tables.sealSession(updated));
                tables.roomMembers.put(room, SharedTables.memberValue(updated));
                local.update(updated);
                gained = interest.publish(room);
            } else {
                local.update(updated);
                interest.publish(room);
                tables.roomMembers.remove(room, SharedTables.memberValue(updated));
                tables.sessions.set(session.value(), tables.sealSession(updated));
                gained = null;
            }
        }
        if (gained != null) {
            awaitRoutingSync(room, gained);
        }
        return RoomHistory.CHANGED;
    }

    /**
     * The join barrier: pushes the routing entry this node just wrote to every other node and waits
     * until each has applied it.
     */
    private void awaitRoutingSync(String room, RoutingEntry written) {
        NodeId me = context.id;
        List<CompletableFuture<Integer>> acks = new ArrayList<>();
        for (NodeId node : live.ids()) {
            if (!node.equals(me)) {
                acks.add(link.request(node, "routing sync of room '" + room + "' to node '" + node + "'",
                        correlation -> Envelope.encodeSync(correlation, me, room, written)));
            }
        }
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            LOG.warn("node {}: {}", me, e.getCause() == null ? e : e.getCause().getMessage());
        }
    }
}
