package io.wscluster.tyrus;

import io.wscluster.annotation.Clustered;

import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.tyrus.support.CommandEndpoint;
import io.wscluster.tyrus.support.PlainEndpoint;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Not a test: measures the heap cost per idle WebSocket connection on one node, with and without
 * {@link Clustered}, in one JVM run.
 *
 * <p>One node (a one-member Hazelcast cluster and a {@link WsServer}) serves {@code /plain} (a plain
 * {@code @ServerEndpoint}) and {@code /chat} (the same with {@code @Clustered}: registered in the
 * cluster registry, with an outbound queue and a user). For each variant, N raw-socket clients
 * complete the handshake and stay idle; the heap used after a full GC is compared with the same
 * measure before they connected. The clients are plain blocking sockets in this JVM, the same in
 * both variants, so the difference between the variants is the library's own cost per connection.
 *
 * <p>Run (needs {@code ulimit -n} above 2N + 200):
 * <pre>
 * java -Xmx2g [Hazelcast --add-opens flags] -cp ... io.wscluster.tyrus.IdleMemoryProbe 5000
 * </pre>
 */
public final class IdleMemoryProbe {

    private static final Logger LOG = LoggerFactory.getLogger(IdleMemoryProbe.class);
    private static final int ROUNDS = 3;

    private IdleMemoryProbe() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        HazelcastCluster cluster = HazelcastCluster.builder().clusterName("probe-" + UUID.randomUUID())
                .bindAddress("127.0.0.1").port(0).property("hazelcast.partition.count", "23").build();
        WsServer server = WsServer.builder().host("127.0.0.1").port(0).cluster(cluster)
                .endpoint(CommandEndpoint.class).endpoint(PlainEndpoint.class)
                .userResolver(UserResolver.queryParam("user")).maxConnections(n + 100).build().start();
        try {
            // warm up both paths so class loading and pools are not charged to the first variant
            measure(server, "/plain", 200, false);
            measure(server, "/chat", 200, true);
            long[] plain = new long[ROUNDS];
            long[] clustered = new long[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                plain[r] = measure(server, "/plain", n, false);
                clustered[r] = measure(server, "/chat", n, true);
            }
            long p = median(plain);
            long c = median(clustered);
            String report = String.format("%nidle connections: %d, %d alternating rounds, median (all rounds)%n"
                            + "  plain @ServerEndpoint:            %,d bytes/connection %s%n"
                            + "  @Clustered @ServerEndpoint:       %,d bytes/connection %s%n"
                            + "  wscluster overhead (difference):  %,d bytes/connection%n"
                            + "  (heap used after full GC, delta over N; server and raw-socket clients in one JVM)%n",
                    n, ROUNDS, p, java.util.Arrays.toString(plain), c, java.util.Arrays.toString(clustered), c - p);
            LOG.info(report);
        } finally {
            server.drain();
        }
    }

    private static long measure(WsServer server, String path, int n, boolean withUser) {
        long before = usedAfterGc();
        List<RawWebSocket> clients = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                String target = withUser ? path + "?user=u" + i : path;
                RawWebSocket s = RawWebSocket.connect(server.port(), target);
                if (s.status() != 101) {
                    s.close();
                    throw new IllegalStateException("handshake " + i + " answered " + s.status());
                }
                clients.add(s);
            }
            waitFor(() -> server.stats().localSessions() >= n);
            if (withUser) {
                waitFor(() -> server.cluster().registry().localCount() >= n);
            }
            long after = usedAfterGc();
            return (after - before) / n;
        } finally {
            clients.forEach(RawWebSocket::close);
            waitFor(() -> server.stats().localSessions() == 0);
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("condition not met within 60 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
