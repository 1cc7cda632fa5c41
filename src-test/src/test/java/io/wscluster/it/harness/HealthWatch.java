package io.wscluster.it.harness;

import io.wscluster.examples.chat.testkit.ChatNodeProcess;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Polls {@code /health} of some nodes every 100 ms from its own thread (bounded to 3 minutes) and
 * keeps the longest answer time and the smallest member count seen; a request that fails counts as
 * taking as long as it took (at most its 3 s timeout) and as 0 members.
 */
public final class HealthWatch implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong longestMillis = new AtomicLong();
    private final AtomicInteger fewestMembers = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger polls = new AtomicInteger();
    private final Thread thread;

    /** @param nodes the nodes to watch */
    public HealthWatch(List<ChatNodeProcess> nodes) {
        thread = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (running.get() && System.nanoTime() < deadline) {
                for (ChatNodeProcess node : nodes) {
                    long start = System.nanoTime();
                    int members;
                    try {
                        members = node.health().path("members").asInt();
                    } catch (RuntimeException e) {
                        members = 0;
                    }
                    longestMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
                    fewestMembers.accumulateAndGet(members, Math::min);
                    polls.incrementAndGet();
                }
                try {
                    new CountDownLatch(1).await(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "health-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the longest /health answer so far, in ms */
    public long longestMillis() {
        return longestMillis.get();
    }

    /** @return the fewest members any watched node reported */
    public int fewestMembers() {
        return fewestMembers.get();
    }

    /** @return requests made */
    public int polls() {
        return polls.get();
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
