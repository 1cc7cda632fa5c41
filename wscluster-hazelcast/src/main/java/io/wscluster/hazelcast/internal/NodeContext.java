package io.wscluster.hazelcast.internal;

import com.hazelcast.core.HazelcastInstance;
import io.wscluster.ClusterException;
import io.wscluster.NodeId;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every layer of one node's cluster core shares: the node's id, the Hazelcast instance, the
 * settings and clock, the node's threads, whether it is closing, its counters, and the {@link Seal}
 * that authenticates what it sends and trusts. Layers take it
 * in their constructor and call each other directly, never back through the assembly.
 *
 * <p>Threads, each a single daemon thread, so that what runs on one keeps its order:
 * {@link #inbound} handles messages from other nodes off Hazelcast's event threads;
 * {@link #requests} runs the slower of them (remote joins and leaves, which wait for the join
 * barrier) so that deliveries do not queue behind them; {@link #maintenance} runs cleanup,
 * reconcile, sweeps and lease renewal; {@link #eventThread} runs the application's event listeners;
 * {@link #quarantine} has a watch thread of its own.
 */
final class NodeContext {

    final NodeId id;
    final HazelcastInstance hazelcast;
    final ClusterSettings settings;
    final Ticker ticker;
    final ExecutorService inbound;
    final ExecutorService requests;
    final ScheduledExecutorService maintenance;
    final ExecutorService eventThread;
    final Counters counters = new Counters();
    final Seal seal;
    final Quarantine quarantine;
    private final AtomicBoolean closed = new AtomicBoolean();

    NodeContext(NodeId id, HazelcastInstance hazelcast, ClusterSettings settings, Seal seal) {
        this.id = id;
        this.seal = seal;
        this.hazelcast = hazelcast;
        this.settings = settings;
        this.ticker = settings.ticker();
        this.inbound = Executors.newSingleThreadExecutor(named("wsc-inbound-" + id));
        this.requests = Executors.newSingleThreadExecutor(named("wsc-requests-" + id));
        this.maintenance = Executors.newSingleThreadScheduledExecutor(named("wsc-maintenance-" + id));
        this.eventThread = Executors.newSingleThreadExecutor(named("wsc-events-" + id));
        this.quarantine = new Quarantine(this);
    }

    /** @return true once the node began closing (or stopping) */
    boolean isClosed() {
        return closed.get();
    }

    /** @return true if this call began closing the node */
    boolean beginClose() {
        return closed.compareAndSet(false, true);
    }

    /** Marks the node closed, whether or not it was before. */
    void markClosed() {
        closed.set(true);
    }

    /** @throws ClusterException if the node is closed */
    void ensureOpen() {
        if (closed.get()) {
            throw ClusterException.closed(id);
        }
    }

    /** Stops the node's threads (not the event thread: its publisher stops it). */
    void shutdownThreads() {
        inbound.shutdownNow();
        requests.shutdownNow();
        maintenance.shutdownNow();
        quarantine.stop();
    }

    /** @return the Hazelcast endpoint uuid of this node now (it changes after a split-brain merge) */
    String endpointUuid() {
        return hazelcast.getLocalEndpoint().getUuid().toString();
    }

    private static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The node's counters, read by {@code stats()}. */
    static final class Counters {
        final LongAdder messagesSent = new LongAdder();
        final LongAdder localDeliveries = new LongAdder();
        final LongAdder envelopesOut = new LongAdder();
        final LongAdder bytesOut = new LongAdder();
        final LongAdder envelopesIn = new LongAdder();
        final LongAdder bytesIn = new LongAdder();
        final LongAdder nodesLost = new LongAdder();
        final LongAdder routingNanos = new LongAdder();
    }
}
