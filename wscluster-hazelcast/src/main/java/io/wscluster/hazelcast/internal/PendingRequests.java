package io.wscluster.hazelcast.internal;

import io.wscluster.ClusterException;
import io.wscluster.NodeId;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * Requests this node sent to other nodes and is waiting to hear back from, by correlation id.
 *
 * <p>A request completes with the number the other node replied, with 0 if that node left before
 * replying (the session or sessions it was asked about are gone with it), or exceptionally with a
 * {@link ClusterException} after the request timeout or when this node closes.
 */
final class PendingRequests {

    private static final int NODE_GONE = -1;

    /** Sends an encoded request to a node. */
    interface Sender {
        void send(NodeId node, byte[] envelope);
    }

    private record Pending(NodeId node, CompletableFuture<Integer> future) {
    }

    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong correlations = new AtomicLong();
    private final LongAdder timedOut = new LongAdder();
    private final Duration timeout;

    PendingRequests(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Sends a request and returns its reply.
     *
     * @param node    the node to ask
     * @param what    the request in words, for error messages
     * @param encoder builds the envelope for a correlation id
     * @param sender  publishes it
     * @param live    whether the node is live now (a request to a gone node answers 0 at once)
     * @return the reply
     */
    CompletableFuture<Integer> send(NodeId node, String what, LongFunction<byte[]> encoder, Sender sender, boolean live) {
        long correlation = correlations.incrementAndGet();
        CompletableFuture<Integer> future = new CompletableFuture<>();
        pending.put(correlation, new Pending(node, future));
        try {
            sender.send(node, encoder.apply(correlation));
        } catch (RuntimeException e) {
            pending.remove(correlation);
            return CompletableFuture.failedFuture(ClusterException.failed(what, e));
        }
        if (!live) {
            complete(correlation, NODE_GONE);
        }
        return future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((result, error) -> {
                    pending.remove(correlation);
                    if (error == null) {
                        return result == NODE_GONE ? 0 : result;
                    }
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof TimeoutException) {
                        timedOut.increment();
                        throw ClusterException.timedOut(what, timeout);
                    }
                    throw ClusterException.failed(what, cause);
                });
    }

    /**
     * A reply arrived.
     *
     * @param correlation the request's id
     * @param result      the reply
     */
    void complete(long correlation, int result) {
        Pending p = pending.remove(correlation);
        if (p != null) {
            p.future().complete(result);
        }
    }

    /** @param node a node that left: its requests answer 0 */
    void nodeGone(NodeId node) {
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            if (e.getValue().node().equals(node)) {
                complete(e.getKey(), NODE_GONE);
            }
        }
    }

    /** @param local this node, closing: every request fails */
    void failAll(NodeId local) {
        for (Pending p : pending.values()) {
            p.future().completeExceptionally(ClusterException.closed(local));
        }
        pending.clear();
    }

    /** @return requests that got no answer in time */
    long timedOut() {
        return timedOut.sum();
    }
}
