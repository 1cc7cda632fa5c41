package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.Cluster;
import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.spi.SessionHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a context is bound to and runs on: the node's cluster and session host, and the context's
 * threads (one for session events and sweeps, a small pool for send callbacks, and, standalone, the
 * writers). Unbound until {@link #bind}; shut down once. Every part of the adapter asks it whether
 * work is allowed ({@link #requireActive}), so the "not bound yet" and "shut down" answers are the
 * same everywhere.
 */
final class BoundNode {

    private static final Logger LOG = LoggerFactory.getLogger(BoundNode.class);

    private final AtomicBoolean bound = new AtomicBoolean();
    private final AtomicBoolean shut = new AtomicBoolean();
    private volatile long boundAt;
    private volatile Cluster cluster;
    private volatile NodeId me;
    private volatile SessionHost host;
    private volatile ScheduledExecutorService dispatcher;
    private volatile ExecutorService callbacks;
    private volatile ExecutorService writers;

    /**
     * Binds to a node and starts the threads.
     *
     * @throws IllegalStateException if already bound
     */
    void bind(Cluster cluster, SessionHost host) {
        if (!bound.compareAndSet(false, true)) {
            throw new IllegalStateException("TyrusClusterContext is already bound to node '" + me
                    + "'; use one context per server");
        }
        this.cluster = cluster;
        this.me = cluster.localNode();
        this.host = host;
        this.boundAt = System.nanoTime();
        ScheduledThreadPoolExecutor events = new ScheduledThreadPoolExecutor(1, threads("wscluster-tyrus-" + me));
        events.setRemoveOnCancelPolicy(true);
        this.dispatcher = events;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads("wscluster-tyrus-callback-" + me));
        pool.allowCoreThreadTimeOut(true);
        this.callbacks = pool;
    }

    /** Standalone: the pool that runs the blocking writes of all sessions, made before {@link #bind}. */
    void writers(ExecutorService writers) {
        this.writers = writers;
    }

    /** @return true the first time: the caller shuts the context down, then calls {@link #stopThreads} */
    boolean markShut() {
        return shut.compareAndSet(false, true);
    }

    /** Stops the context's threads (after {@link #markShut}). */
    void stopThreads() {
        for (ExecutorService executor : new ExecutorService[] {dispatcher, callbacks, writers}) {
            if (executor != null) {
                executor.shutdownNow();
            }
        }
    }

    boolean isBound() {
        return bound.get();
    }

    boolean isShut() {
        return shut.get();
    }

    /** @return true if bound and not shut down */
    boolean isActive() {
        return bound.get() && !shut.get();
    }

    long boundAt() {
        return boundAt;
    }

    Cluster cluster() {
        return cluster;
    }

    NodeId me() {
        return me;
    }

    SessionHost host() {
        return host;
    }

    ScheduledExecutorService dispatcher() {
        return dispatcher;
    }

    /** @throws IllegalStateException if not bound or shut down, saying which */
    void requireActive() {
        if (!isActive()) {
            throw new IllegalStateException(inactiveMessage());
        }
    }

    String inactiveMessage() {
        if (shut.get()) {
            return "TyrusClusterContext of node '" + me + "' is shut down";
        }
        return "TyrusClusterContext is not bound to a node yet: give it to WsServer.builder().tyrusClusterContext(...)"
                + " and start the server, or make it with TyrusClusterContext.attach(cluster)";
    }

    /** Runs a task on the event thread, in order; dropped when shutting down. */
    void dispatch(Runnable task) {
        try {
            dispatcher.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("session event dropped: shutting down");
        }
    }

    /** Runs a send callback on the callback pool, or here when it is shut down. */
    void runCallback(Runnable task) {
        try {
            callbacks.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /**
     * Runs a blocking write on the writers (standalone); skipped when shutting down.
     *
     * @return false if it was skipped
     */
    boolean writeLater(Runnable task) {
        try {
            writers.execute(task);
            return true;
        } catch (RejectedExecutionException | NullPointerException e) {
            LOG.debug("write skipped: shutting down");
            return false;
        }
    }

    /** @return the parsed id, or null if it is not a wscluster session id */
    static SessionId parse(String sessionId) {
        if (sessionId == null) {
            return null;
        }
        try {
            return SessionId.parse(sessionId);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
