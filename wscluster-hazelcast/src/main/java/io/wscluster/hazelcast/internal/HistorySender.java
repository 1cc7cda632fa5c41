package io.wscluster.hazelcast.internal;

import io.wscluster.ClusterException;
import io.wscluster.Delivery;
import io.wscluster.HistorySettings;
import io.wscluster.Message;
import io.wscluster.NodeId;
import io.wscluster.Position;
import io.wscluster.SessionId;
import io.wscluster.Target;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends to history rooms: each message is numbered by the room's sequencer ({@link HistoryAppend}
 * on the owner of the room's partition), then published once to each node with members, to its
 * history inbox, and offered to this node's own stream directly.
 *
 * <p>Design notes. One append per room is in flight from this node at a time; messages sent while
 * it runs wait and go in the next append as one batch, so a busy room costs one map operation per
 * batch, not per message, and messages from one thread keep their order. Appends are blocking
 * calls on history's own small pool: Hazelcast's asynchronous completions run on the common
 * fork-join pool, which on a two-core machine is a new thread per completion. The route is read after
 * the append returned (the join's ordering argument in {@link RoomStream} needs that).
 */
final class HistorySender {

    /** Most messages in one append. */
    static final int MAX_BATCH = 256;

    private record Pending(HistoryLog.Entry entry, CompletableFuture<Delivery> result) {
    }

    private static final class RoomQueue {
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        boolean inFlight;
    }

    private final NodeContext context;
    private final SharedTables tables;
    private final LiveNodes live;
    private final RoomHistory history;
    private final Map<String, RoomQueue> queues = new ConcurrentHashMap<>();

    HistorySender(NodeContext context, SharedTables tables, LiveNodes live, RoomHistory history) {
        this.context = context;
        this.tables = tables;
        this.live = live;
        this.history = history;
    }

    CompletableFuture<Delivery> send(Target target, Message message, HistorySettings.Rule rule) {
        String room = target.name();
        String excluded = target.excluded().map(SessionId::value).orElse(null);
        CompletableFuture<Delivery> result = new CompletableFuture<>();
        RoomQueue queue = queues.computeIfAbsent(room, r -> new RoomQueue());
        boolean start;
        synchronized (queue) {
            queue.waiting.add(new Pending(new HistoryLog.Entry(0, 0, 0, excluded, message), result));
            start = !queue.inFlight;
            queue.inFlight = true;
        }
        if (start) {
            appendNext(room, queue, rule);
        }
        return result;
    }

    private void appendNext(String room, RoomQueue queue, HistorySettings.Rule rule) {
        List<Pending> batch = new ArrayList<>();
        synchronized (queue) {
            while (batch.size() < MAX_BATCH && !queue.waiting.isEmpty()) {
                batch.add(queue.waiting.poll());
            }
            if (batch.isEmpty()) {
                queue.inFlight = false;
                return;
            }
        }
        List<HistoryLog.Entry> entries = batch.stream().map(Pending::entry).toList();
        long now = context.ticker.wallMillis();
        HistoryAppend append = new HistoryAppend(ThreadLocalRandom.current().nextLong(), now, rule.size(),
                rule.ttl().toMillis(), RoomHistory.newEpoch(), new HistoryBatch(room, "", entries).encode());
        try {
            history.appends().execute(() -> {
                try {
                    route(room, (String) history.log().executeOnKey(room, append), now, batch);
                } catch (RuntimeException failure) {
                    ClusterException error = ClusterException.failed("send to room '" + room + "'", failure);
                    batch.forEach(p -> p.result().completeExceptionally(error));
                } finally {
                    appendNext(room, queue, rule);
                }
            });
        } catch (RuntimeException e) {
            ClusterException error = ClusterException.failed("send to room '" + room + "'", e);
            batch.forEach(p -> p.result().completeExceptionally(error));
            synchronized (queue) {
                queue.inFlight = false;
            }
        }
    }

    /** Publishes a numbered batch to each node with members, then completes the sends. */
    private void route(String room, String answer, long now, List<Pending> batch) {
        int space = answer.indexOf(' ');
        long first = Long.parseLong(answer.substring(0, space));
        String epoch = answer.substring(space + 1);
        List<HistoryLog.Entry> numbered = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            HistoryLog.Entry e = batch.get(i).entry();
            numbered.add(new HistoryLog.Entry(first + i, now, 0, e.excluded(), e.message()));
        }
        HistoryBatch published = new HistoryBatch(room, epoch, numbered);
        int sessions = 0;
        int nodes = 0;
        byte[] encoded = null;
        for (Map.Entry<NodeId, Integer> e : tables.routing.nodesOf(room).entrySet()) {
            NodeId node = e.getKey();
            if (node.equals(context.id)) {
                history.offer(published);
            } else if (live.isLive(node)) {
                if (encoded == null) {
                    encoded = published.encode();
                }
                history.publishTo(node, encoded);
            } else {
                continue;
            }
            sessions += e.getValue();
            nodes++;
        }
        Delivery reached = sessions == 0 ? Delivery.NOBODY : new Delivery(sessions, nodes);
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(reached.at(new Position(first + i, epoch)));
        }
    }
}
