package io.wscluster.hazelcast.internal;

import io.wscluster.NodeId;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The user announcements of {@link UserAnnouncer} on their way to each other node, in batches.
 *
 * <p>Design notes. There is one lane per other node, a FIFO queue with at most one batch in
 * flight. A batch is one request (one {@link Envelope.Kind#PRESENCE} envelope) that the receiving
 * node answers after it has applied every announcement in it. An announcement added while a batch
 * is in flight waits in the lane and leaves with the next batch, sent as soon as the answer
 * arrives; with nothing in flight it leaves at once. There is no timer, so an idle node adds no
 * latency; under a connect storm one round trip carries many announcements, and the receiver
 * handles one inbound message and sends one reply per batch instead of one per open.
 *
 * <p>Promises kept. The future of an announcement completes when the batch holding it has been
 * applied by the node (the presence barrier of an open waits on it), with 0 when the node is or
 * goes away, and exceptionally when the node does not answer in time: exactly what a request per
 * announcement gave. Order: {@link UserAnnouncer} adds a user's announcements under that user's
 * lock, in version order; a lane keeps its order and sends its batches one after the other over
 * the FIFO link, so every node applies one user's announcements in version order, opens and closes
 * alike. A lane of a node that is no longer live is dropped once it is empty.
 */
final class AnnouncementLanes {

    /** Announcements per batch at most; the rest leave with the next one. */
    static final int MAX_BATCH = 512;

    private final NodeId me;
    private final NodeLink link;
    private final LiveNodes live;
    private final Map<NodeId, Lane> lanes = new ConcurrentHashMap<>();

    AnnouncementLanes(NodeId me, NodeLink link, LiveNodes live) {
        this.me = me;
        this.link = link;
        this.live = live;
    }

    /**
     * Adds an announcement to a node's lane.
     *
     * @param node   the node to tell
     * @param user   the user
     * @param pushed this node's sessions of the user, with the version
     * @return completes with 1 once the node applied it, 0 if the node is gone; exceptionally if
     *         it did not answer in time
     */
    CompletableFuture<Integer> add(NodeId node, String user, UserRoutes.Pushed pushed) {
        Waiting waiting = new Waiting(new UserRoutes.Announced(user, pushed), new CompletableFuture<>());
        lanes.computeIfAbsent(node, Lane::new).add(waiting);
        return waiting.done;
    }

    private record Waiting(UserRoutes.Announced announced, CompletableFuture<Integer> done) {
    }

    private final class Lane {

        private final NodeId node;
        private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
        private boolean inFlight; // guarded by this

        Lane(NodeId node) {
            this.node = node;
        }

        void add(Waiting waiting) {
            List<Waiting> batch;
            synchronized (this) {
                queue.add(waiting);
                if (inFlight) {
                    return;
                }
                inFlight = true;
                batch = drain();
            }
            send(batch);
        }

        /** Sends batches while their answers come at once (a gone node), else leaves the rest to the answer. */
        private void send(List<Waiting> batch) {
            while (batch != null) {
                CompletableFuture<Integer> reply = request(batch);
                if (!reply.isDone()) {
                    List<Waiting> sent = batch;
                    reply.whenComplete((result, error) -> {
                        finish(sent, result, error);
                        send(next());
                    });
                    return;
                }
                finish(batch, reply.getNow(0), null);
                batch = next();
            }
        }

        private CompletableFuture<Integer> request(List<Waiting> batch) {
            List<UserRoutes.Announced> announced = new ArrayList<>(batch.size());
            for (Waiting w : batch) {
                announced.add(w.announced());
            }
            try {
                return link.request(node, batch.size() == 1
                                ? "presence of user '" + announced.get(0).user() + "' to node '" + node + "'"
                                : "presence of " + batch.size() + " users to node '" + node + "'",
                        correlation -> Envelope.encodePresence(correlation, me, announced));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        private void finish(List<Waiting> batch, Integer result, Throwable error) {
            for (Waiting w : batch) {
                if (error != null) {
                    w.done().completeExceptionally(error);
                } else {
                    w.done().complete(result);
                }
            }
        }

        /** @return the next batch, or null: then nothing is in flight any more */
        private List<Waiting> next() {
            synchronized (this) {
                if (!queue.isEmpty()) {
                    return drain();
                }
                inFlight = false;
            }
            if (!live.isLive(node)) {
                lanes.remove(node, this);
            }
            return null;
        }

        private List<Waiting> drain() {
            int n = Math.min(queue.size(), MAX_BATCH);
            List<Waiting> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                batch.add(queue.poll());
            }
            return batch;
        }
    }
}
