package io.wscluster.tyrus.internal.tyruscluster;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs one session's writes one at a time, in order, on a shared pool (standalone mode, where the
 * only way to write to a Tyrus session is its {@code SessionEventListener}'s blocking sends).
 *
 * <p>Bounded: past {@code max} waiting tasks, {@link #offer} refuses (the caller drops the message
 * and counts it); {@link #offerAlways} is for the close, which must not be dropped. A busy session
 * gives its pool thread back after a batch, so one session cannot hold a thread for ever.
 */
final class SerialQueue {

    private static final int BATCH = 64;

    private final Executor executor;
    private final int max;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;
    private boolean closed;

    SerialQueue(Executor executor, int max) {
        this.executor = executor;
        this.max = max;
    }

    /** @return false if the queue is full or closed */
    boolean offer(Runnable task) {
        return add(task, false);
    }

    /** @return false if the queue is closed */
    boolean offerAlways(Runnable task) {
        return add(task, true);
    }

    /** Drops what waits and refuses further tasks. */
    synchronized void close() {
        closed = true;
        tasks.clear();
    }

    private boolean add(Runnable task, boolean always) {
        synchronized (this) {
            if (closed || (!always && tasks.size() >= max)) {
                return false;
            }
            tasks.add(task);
            if (running) {
                return true;
            }
            running = true;
        }
        return schedule();
    }

    private boolean schedule() {
        try {
            executor.execute(this::drain);
            return true;
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                running = false;
                tasks.clear();
            }
            return false;
        }
    }

    private void drain() {
        for (int done = 0; ; done++) {
            Runnable next;
            synchronized (this) {
                next = closed ? null : tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            if (done == BATCH) {
                synchronized (this) {
                    tasks.addFirst(next);
                }
                schedule();
                return;
            }
            next.run();
        }
    }
}
