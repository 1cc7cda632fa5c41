package io.wscluster.bench;

import com.hazelcast.map.IMap;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.hazelcast.testkit.ClusterFixture.Member;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * How long after node A registers a session node C can see it: three real members over loopback
 * in one JVM, sessions registered one at a time on A.
 *
 * <ul>
 * <li>{@code open}: the time {@code SessionHost.open} takes on A (the registration itself);</li>
 * <li>{@code lookup}: from the start of {@code open} on A until {@code registry().session(id)} on C
 * finds it (C polls in a tight loop);</li>
 * <li>{@code event}: from the start of {@code open} on A until C's {@code onSessionOpened} listener runs;</li>
 * <li>{@code baseline}: a raw Hazelcast {@code IMap.set} on A until {@code IMap.get} on C finds it, the
 * floor any registry on this Hazelcast has, measured in the same run.</li>
 * </ul>
 *
 * <p>Run: {@code mvn -B -q install -DskipTests && mvn -B -pl src-test test-compile exec:exec@registration-latency}
 * (pass {@code -Dbench.args=N} for N registrations; default 1000, after 200 of warm-up).
 */
public final class RegistrationLatencyBenchmark {

    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private RegistrationLatencyBenchmark() {
    }

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int warmup = 200;
        try (ClusterFixture fixture = ClusterFixture.start(3)) {
            Member a = fixture.get(0);
            Member c = fixture.get(2);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (c.cluster().nodes().size() < 3 || a.cluster().nodes().size() < 3) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("cluster did not form within 30 s");
                }
                Thread.onSpinWait();
            }
            Map<SessionId, Long> eventSeenAt = new ConcurrentHashMap<>();
            c.cluster().events().onSessionOpened(e -> eventSeenAt.put(e.session().id(), System.nanoTime()));

            long[] open = new long[count];
            long[] lookup = new long[count];
            long[] event = new long[count];
            long[] baseline = new long[count];
            IMap<String, byte[]> rawOnA = a.cluster().hazelcastInstance().getMap("bench.baseline");
            IMap<String, byte[]> rawOnC = c.cluster().hazelcastInstance().getMap("bench.baseline");
            byte[] value = new byte[100];

            for (int i = 0; i < warmup + count; i++) {
                long start = System.nanoTime();
                SessionInfo info = a.host().open("/bench", "user" + i, Map.of("i", Integer.toString(i)));
                long opened = System.nanoTime();
                while (c.cluster().registry().session(info.id()).isEmpty()) {
                    check(start, "session " + info.id());
                }
                long seen = System.nanoTime();
                Long eventAt;
                while ((eventAt = eventSeenAt.get(info.id())) == null) {
                    check(start, "event of " + info.id());
                    Thread.onSpinWait();
                }

                String key = "k" + i;
                long rawStart = System.nanoTime();
                rawOnA.set(key, value);
                while (rawOnC.get(key) == null) {
                    check(rawStart, "baseline key " + key);
                }
                long rawSeen = System.nanoTime();

                if (i >= warmup) {
                    int j = i - warmup;
                    open[j] = opened - start;
                    lookup[j] = seen - start;
                    event[j] = eventAt - start;
                    baseline[j] = rawSeen - rawStart;
                }
                a.host().closed(info.id());
            }
            System.out.printf("registration visibility, node A -> node C, %d registrations (after %d warm-up), 3 members, one JVM, loopback%n",
                    count, warmup);
            System.out.println("metric      p50 (us)   p99 (us)   max (us)");
            print("open", open);
            print("lookup", lookup);
            print("event", event);
            print("baseline", baseline);
            System.out.printf("lookup/baseline p50 ratio: %.2f, p99 ratio: %.2f%n",
                    (double) percentile(lookup, 50) / percentile(baseline, 50),
                    (double) percentile(lookup, 99) / percentile(baseline, 99));
        }
    }

    private static void check(long start, String what) {
        if (System.nanoTime() - start > DEADLINE_NANOS) {
            throw new IllegalStateException(what + " not visible within 5 s");
        }
    }

    private static void print(String name, long[] nanos) {
        System.out.printf("%-10s %9d %10d %10d%n", name, percentile(nanos, 50) / 1000, percentile(nanos, 99) / 1000,
                Arrays.stream(nanos).max().orElse(0) / 1000);
    }

    private static long percentile(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
