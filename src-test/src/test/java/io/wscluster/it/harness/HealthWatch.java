package io.wscluster.it.harness;

import io.wscluster.examples.chat.testkit.ChatNodeProcess;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Polls {@code /health} of some nodes every 100 ms from its own thread (bounded to 3 minutes) and
 * keeps the longest answer time and the smallest member count seen; a request that fails counts as
 * taking as long as it took (at most its 3 s timeout) and as 0 members. Per node it also keeps the
 * states it went through, each change once: {@code "200 running"}, {@code "503 unavailable: REASON"},
 * {@code "no answer"}.
 */
public final class HealthWatch implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong longestMillis = new AtomicLong();
    private final AtomicInteger fewestMembers = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger polls = new AtomicInteger();
    private final List<List<String>> states = new ArrayList<>();
    private volatile String longestAt = "none";
    private final Thread thread;

    /** @param nodes the nodes to watch */
    public HealthWatch(List<ChatNodeProcess> nodes) {
        for (int i = 0; i < nodes.size(); i++) {
            states.add(new ArrayList<>());
        }
        thread = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (running.get() && System.nanoTime() < deadline) {
                for (int i = 0; i < nodes.size(); i++) {
                    ChatNodeProcess node = nodes.get(i);
                    long start = System.nanoTime();
                    int members;
                    String state;
                    try {
                        var health = node.health();
                        members = health.path("members").asInt();
                        state = health.path("_status").asInt() + " " + health.path("status").asText()
                                + (health.has("reason") ? ": " + health.path("reason").asText() : "");
                    } catch (RuntimeException e) {
                        members = 0;
                        state = "no answer";
                    }
                    List<String> seen = states.get(i);
                    synchronized (seen) {
                        if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(state)) {
                            seen.add(state);
                        }
                    }
                    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    if (took > longestMillis.getAndAccumulate(took, Math::max)) {
                        longestAt = node.name() + " at " + java.time.Instant.now();
                    }
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

    /** @return which node gave the longest answer, and when it ended (UTC) */
    public String longestAt() {
        return longestAt;
    }

    /** @return the fewest members any watched node reported */
    public int fewestMembers() {
        return fewestMembers.get();
    }

    /**
     * @param index the node's position in the list given
     * @return the states that node went through, each change once, oldest first
     */
    public List<String> states(int index) {
        List<String> seen = states.get(index);
        synchronized (seen) {
            return List.copyOf(seen);
        }
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
