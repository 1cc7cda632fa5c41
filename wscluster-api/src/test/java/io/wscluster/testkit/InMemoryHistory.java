package io.wscluster.testkit;

import io.wscluster.Delivery;
import io.wscluster.HistoryMessage;
import io.wscluster.HistorySettings;
import io.wscluster.JoinResult;
import io.wscluster.Message;
import io.wscluster.Position;
import io.wscluster.Replay;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Room history of an in-memory cluster: one log per history room, and the order in which each
 * room's messages reach the servers.
 *
 * <p>Design notes. A send to a history room numbers the message and resolves its receivers in one
 * step under the network's lock, and queues it in the room's delivery queue; the queue is drained
 * in offset order under the room's own monitor, on whichever caller's thread gets there (a nested
 * send from a server's callback leaves its message to the drain already running). A join holds
 * the room's monitor while it changes the membership and reads the cut under the network's lock,
 * drains what was queued up to the cut (resolved without the session), and writes the replay; messages
 * numbered after the cut were resolved with the session and are drained after the replay. So
 * replay then live, without gap or duplicate, in offset order, as on a real backend.
 */
final class InMemoryHistory {

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryHistory.class);

    private record Entry(long offset, long millis, Message message) {
    }

    private static final class Log {
        String epoch;
        long latest;
        long touched;
        final ArrayDeque<Entry> entries = new ArrayDeque<>();

        List<Entry> visible(long now, long ttl) {
            List<Entry> out = new ArrayList<>();
            for (Entry e : entries) {
                if (now - e.millis() <= ttl) {
                    out.add(e);
                }
            }
            return out;
        }
    }

    private record Queued(Position position, Message message, Map<InMemoryCluster, List<SessionId>> receivers) {
    }

    /** A room's delivery queue (guarded by the network's lock) and its drain (guarded by this object's monitor). */
    private static final class RoomOrder {
        final ArrayDeque<Queued> queue = new ArrayDeque<>();
        boolean draining;
    }

    private final InMemoryNetwork network;
    private final HistorySettings settings;
    private final Map<String, Log> logs = new HashMap<>();
    private final Map<String, RoomOrder> orders = new HashMap<>();

    InMemoryHistory(InMemoryNetwork network, HistorySettings settings) {
        this.network = network;
        this.settings = settings;
    }

    Optional<HistorySettings.Rule> ruleFor(String room) {
        return settings.enabled() ? settings.ruleFor(room) : Optional.empty();
    }

    /** Sends to a history room: numbers, resolves, queues, then drains the room's queue. */
    Delivery send(InMemoryCluster sender, Target target, Message message, HistorySettings.Rule rule) {
        String room = target.name();
        Queued queued;
        RoomOrder order;
        synchronized (network.lock()) {
            Log log = open(room, rule);
            log.latest++;
            long now = Math.max(now(), log.entries.isEmpty() ? 0 : log.entries.peekLast().millis());
            log.touched = now;
            log.entries.addLast(new Entry(log.latest, now, message));
            while (log.entries.size() > rule.size()
                    || (log.entries.size() > 1 && now - log.entries.peekFirst().millis() > rule.ttl().toMillis())) {
                log.entries.removeFirst();
            }
            queued = new Queued(new Position(log.latest, log.epoch), message, network.resolve(target));
            order = orders.computeIfAbsent(room, r -> new RoomOrder());
            order.queue.addLast(queued);
        }
        drain(room, order, sender);
        int sessions = queued.receivers().values().stream().mapToInt(List::size).sum();
        Delivery reached = sessions == 0 ? Delivery.NOBODY : new Delivery(sessions, queued.receivers().size());
        return reached.at(queued.position());
    }

    /** Joins a local session through the seam; see the class notes. */
    JoinResult join(InMemoryCluster node, SessionId session, String room, Replay replay, HistorySettings.Rule rule) {
        RoomOrder order;
        synchronized (network.lock()) {
            order = orders.computeIfAbsent(room, r -> new RoomOrder());
        }
        synchronized (order) {
            Position cut;
            List<Entry> replayed;
            Optional<Boolean> recovered;
            synchronized (network.lock()) {
                SessionInfo info = network.session(session);
                if (info == null || network.liveNode(session.node()) == null) {
                    return JoinResult.NOT_OPEN;
                }
                Log log = open(room, rule);
                // read under the lock: sends from other threads move the log on as soon as it is released
                cut = new Position(log.latest, log.epoch);
                if (info.rooms().contains(room)) {
                    return new JoinResult(true, Optional.of(new Position(log.latest, log.epoch)), Optional.empty(), 0);
                }
                Set<String> rooms = new TreeSet<>(info.rooms());
                rooms.add(room);
                network.update(info.withRooms(rooms));
                List<Entry> visible = log.visible(now(), rule.ttl().toMillis());
                if (replay.last() > 0) {
                    replayed = visible.subList(Math.max(0, visible.size() - replay.last()), visible.size());
                    recovered = Optional.empty();
                } else if (replay.since().isPresent()) {
                    Position p = replay.since().get();
                    boolean covered = p.epoch().equals(log.epoch) && p.offset() <= log.latest
                            && (p.offset() == log.latest || (!visible.isEmpty() && visible.get(0).offset() <= p.offset() + 1));
                    recovered = Optional.of(covered);
                    replayed = covered ? visible.stream().filter(e -> e.offset() > p.offset()).toList() : List.of();
                } else {
                    replayed = List.of();
                    recovered = Optional.empty();
                }
            }
            // what was numbered up to the cut was resolved without the session; what came after was
            // resolved with it and must wait for the replay
            drain(room, order, node, q -> !(q.position().epoch().equals(cut.epoch()) && q.position().offset() > cut.offset()));
            for (Entry e : replayed) {
                deliver(node, List.of(session), room, new Position(e.offset(), cut.epoch()), e.message());
            }
            drain(room, order, node);
            InMemoryCluster.Counters counters = node.counters();
            if (!replay.isNone()) {
                counters.replaysServed.increment();
            }
            counters.messagesReplayed.add(replayed.size());
            if (recovered.filter(r -> !r).isPresent()) {
                counters.recoveriesRefused.increment();
            }
            return new JoinResult(true, Optional.of(cut), recovered, replayed.size());
        }
    }

    List<HistoryMessage> read(String room, int last) {
        Optional<HistorySettings.Rule> rule = ruleFor(room);
        if (rule.isEmpty()) {
            return List.of();
        }
        synchronized (network.lock()) {
            Log log = logs.get(room);
            if (log == null) {
                return List.of();
            }
            List<Entry> visible = log.visible(now(), rule.get().ttl().toMillis());
            return visible.subList(Math.max(0, visible.size() - last), visible.size()).stream()
                    .map(e -> new HistoryMessage(new Position(e.offset(), log.epoch), e.message(), e.millis())).toList();
        }
    }

    /** @return how many history rooms have a sequence; call under the lock */
    int rooms() {
        return logs.size();
    }

    /** Opens a room's sequence: creates it, or restarts it with a new epoch once it expired; call under the lock. */
    private Log open(String room, HistorySettings.Rule rule) {
        Log log = logs.computeIfAbsent(room, r -> new Log());
        long now = now();
        if (log.epoch == null || now - log.touched > rule.ttl().toMillis()) {
            log.epoch = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
            log.latest = 0;
            log.entries.clear();
            log.touched = now;
        }
        return log;
    }

    private void drain(String room, RoomOrder order, InMemoryCluster sender) {
        drain(room, order, sender, q -> true);
    }

    /** Delivers the room's queued messages in order, stopping at the first that {@code upTo} refuses. */
    private void drain(String room, RoomOrder order, InMemoryCluster sender, Predicate<Queued> upTo) {
        synchronized (order) {
            if (order.draining) {
                return;
            }
            order.draining = true;
            try {
                while (true) {
                    Queued next;
                    synchronized (network.lock()) {
                        next = order.queue.peekFirst();
                        if (next == null || !upTo.test(next)) {
                            break;
                        }
                        order.queue.pollFirst();
                    }
                    for (Map.Entry<InMemoryCluster, List<SessionId>> e : next.receivers().entrySet()) {
                        InMemoryCluster receiver = e.getKey();
                        if (receiver != sender) {
                            sender.counters().envelopesOut.increment();
                            receiver.counters().envelopesIn.increment();
                        }
                        deliver(receiver, e.getValue(), room, next.position(), next.message());
                    }
                }
            } finally {
                order.draining = false;
            }
        }
    }

    private void deliver(InMemoryCluster receiver, List<SessionId> to, String room, Position position, Message message) {
        receiver.counters().localDeliveries.add(to.size());
        try {
            receiver.server().deliver(to, settings.stamp().stamp(room, position, message));
        } catch (RuntimeException failure) {
            LOG.warn("local delivery to {} sessions of node {} failed", to.size(), receiver.localNode(), failure);
        }
    }

    private long now() {
        return network.clock().millis();
    }
}
