package io.wscluster.hazelcast;

import io.wscluster.CloseCode;
import io.wscluster.HistorySettings;
import io.wscluster.Message;
import io.wscluster.Position;
import io.wscluster.Replay;
import io.wscluster.SessionId;
import io.wscluster.Target;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.spi.SessionHost;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.awaitility.Awaitility.await;

/**
 * What a history room costs next to a plain room (issue 11), A/B in one sitting: two members in
 * this JVM, receivers on one, a paced sender on the other; CPU of the whole process per delivery
 * and the p99 from send to hand-off to the receiving server; then the time of a join that replays
 * 100 messages. Not a unit test (surefire does not run it); bounded in count and time. Run:
 * <pre>
 * mvn -B -o -q -pl wscluster-hazelcast -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test
 * java -cp "wscluster-hazelcast/target/test-classes:wscluster-hazelcast/target/classes:wscluster-api/target/test-classes:$(cat wscluster-hazelcast/target/test.classpath)" \
 *     io.wscluster.hazelcast.HistoryCostBenchmark
 * </pre>
 */
public final class HistoryCostBenchmark {

    private static final int RECEIVERS = 200;
    private static final int RATE = 400;
    private static final Duration RUN = Duration.ofSeconds(8);

    private HistoryCostBenchmark() {
    }

    /** Records the latency of each hand-off, by the send time carried in the text. */
    static final class Timing implements LocalDelivery {
        final long[] latencies = new long[RATE * (int) RUN.toSeconds() * 2];
        final AtomicLong count = new AtomicLong();
        final AtomicLong deliveries = new AtomicLong();

        @Override
        public void deliver(Collection<SessionId> sessions, Message message) {
            deliveries.addAndGet(sessions.size());
            long sent = Long.parseLong(message.text());
            int i = (int) count.getAndIncrement();
            if (i < latencies.length) {
                latencies[i] = System.nanoTime() - sent;
            }
        }

        @Override
        public void close(SessionId session, CloseCode code) {
        }

        void reset() {
            count.set(0);
            deliveries.set(0);
        }
    }

    /**
     * Runs the comparison and prints one line per run.
     *
     * @param args none
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        HistorySettings history = HistorySettings.builder().keep("h-*", Integer.getInteger("size", 1000), Duration.ofMinutes(5)).build();
        ClusterFixture fixture = new ClusterFixture();
        int[] ports = ClusterFixture.freePorts(2);
        String[] seeds = {"127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1]};
        HazelcastCluster sender = fixture.builder(ports[0]).history(history).members(seeds).build();
        HazelcastCluster receiver = fixture.builder(ports[1]).history(history).members(seeds).build();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> sender.nodes().size() == 2);
            Timing timing = new Timing();
            SessionHost host = receiver.attachServer(timing);
            sender.attachServer(new Timing());
            List<SessionId> sessions = new ArrayList<>();
            for (int i = 0; i < RECEIVERS; i++) {
                sessions.add(host.open("/bench", null, Map.of()).id());
            }
            for (SessionId s : sessions) {
                receiver.rooms().join(s, "plain-1").toCompletableFuture().join();
                receiver.rooms().join(s, "h-1").toCompletableFuture().join();
            }
            run(sender, timing, "plain-1", Duration.ofSeconds(3), false);
            run(sender, timing, "h-1", Duration.ofSeconds(3), false);
            for (int round = 1; round <= 2; round++) {
                run(sender, timing, "plain-1", RUN, true);
                run(sender, timing, "h-1", RUN, true);
            }
            resume(sender, receiver, host);
        } finally {
            sender.crash();
            receiver.crash();
        }
    }

    private static void run(HazelcastCluster sender, Timing timing, String room, Duration length, boolean report)
            throws InterruptedException {
        timing.reset();
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        long period = 1_000_000_000L / RATE;
        long messages = RATE * length.toSeconds();
        for (long i = 0; i < messages; i++) {
            long due = start + i * period;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            sender.messenger().send(Target.room(room), Message.text(Long.toString(System.nanoTime())));
        }
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> timing.count.get() >= messages);
        } catch (ConditionTimeoutException missing) {
            // reported below: deliveries counted against messages sent
        }
        long cpu = processCpuNanos() - cpu0;
        if (!report) {
            return;
        }
        int n = (int) Math.min(timing.count.get(), timing.latencies.length);
        long[] sorted = Arrays.copyOf(timing.latencies, n);
        Arrays.sort(sorted);
        System.out.printf("%-8s messages %d/%d deliveries %d  cpu/delivery %.2f us  p50 %.2f ms  p99 %.2f ms%n", room,
                n, messages, timing.deliveries.get(), cpu / 1000.0 / Math.max(1, timing.deliveries.get()),
                sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6);
    }

    /** User and system CPU of this process from /proc (Linux; 10 ms ticks): enough over seconds. */
    private static long processCpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void resume(HazelcastCluster sender, HazelcastCluster receiver, SessionHost host) {
        String room = "h-resume";
        Position start = null;
        for (int i = 0; i < 100; i++) {
            Position p = sender.messenger().send(Target.room(room), Message.text(Long.toString(System.nanoTime())))
                    .toCompletableFuture().join().position().orElseThrow();
            if (start == null) {
                start = new Position(p.offset() - 1, p.epoch());
            }
        }
        long[] nanos = new long[40];
        for (int i = 0; i < nanos.length; i++) {
            SessionId s = host.open("/bench", null, Map.of()).id();
            long t0 = System.nanoTime();
            var r = receiver.rooms().join(s, room, Replay.since(start)).toCompletableFuture().join();
            nanos[i] = System.nanoTime() - t0;
            if (r.replayed() != 100) {
                throw new IllegalStateException("replayed " + r.replayed());
            }
            host.closed(s);
        }
        Arrays.sort(nanos);
        System.out.printf("resume of 100 messages: p50 %.2f ms, max %.2f ms (%d joins)%n", nanos[nanos.length / 2] / 1e6,
                nanos[nanos.length - 1] / 1e6, nanos.length);
    }
}
