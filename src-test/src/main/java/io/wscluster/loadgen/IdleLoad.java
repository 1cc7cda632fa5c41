package io.wscluster.loadgen;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Idle connections and the connect storm: opens N connections as fast as the handshake concurrency
 * allows (connects/s = N / time from the first connect to the last open), holds them, and reads each
 * server's resident memory before and after (bytes per connection = RSS delta / N, all in: heap,
 * buffers, registry entries, threads).
 */
final class IdleLoad implements IoLoop.Handler {

    private final Settings s;
    private final Cluster servers;
    private final List<IoLoop> loops = new ArrayList<>();
    private final Conn[] conns;
    private final Semaphore connecting;
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Queue<String> problems = new ConcurrentLinkedQueue<>();
    private volatile boolean stopping;

    IdleLoad(Settings s, Cluster servers) throws java.io.IOException {
        this.s = s;
        this.servers = servers;
        this.connecting = new Semaphore(s.connectConcurrency);
        for (int i = 0; i < s.ioThreads; i++) {
            loops.add(new IoLoop("loadgen-io-" + i, "/chat", this));
        }
        conns = new Conn[s.clients];
        for (int i = 0; i < s.clients; i++) {
            InetSocketAddress address = servers.addresses.get(i % servers.addresses.size());
            conns[i] = new Conn(i, "u" + i, address, loops.get(i % loops.size()));
        }
    }

    Result run() throws Exception {
        Result r = new Result(s, servers);
        try {
            warmUp();
            Thread.sleep(2_000);
            ClassHistogram histogramBefore = s.histogram && servers.isJvm() ? histograms("before") : null;
            r.heapBefore = servers.heapAfterGc();
            r.rssBefore = servers.rssBytes();
            long[] cpu0 = servers.cpuNanos();
            long gen0 = Proc.cpuNanos(ProcessHandle.current().pid());
            long machine0 = Proc.machineBusyNanos();
            r.loadBefore = Proc.loadAverage();
            long start = System.nanoTime();
            for (Conn c : conns) {
                if (!connecting.tryAcquire(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("connects stalled at " + opened.get() + " of " + conns.length);
                }
                c.loop.connect(c);
            }
            if (!connecting.tryAcquire(s.connectConcurrency, 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("connects stalled at " + opened.get() + " of " + conns.length);
            }
            r.connectSeconds = (System.nanoTime() - start) / 1e9;
            long[] cpu1 = servers.cpuNanos();
            r.generatorCpuNanos = Proc.cpuNanos(ProcessHandle.current().pid()) - gen0;
            long machine1 = Proc.machineBusyNanos();
            r.loadAfter = Proc.loadAverage();
            r.nodeCpuNanos = new long[cpu0.length];
            for (int i = 0; i < cpu0.length; i++) {
                r.nodeCpuNanos[i] = cpu1[i] - cpu0[i];
            }
            r.otherCpuNanos = (machine1 - machine0) - r.generatorCpuNanos - r.totalCpuNanos();
            r.opened = opened.get();
            r.failedConnects = failed.get();
            if (s.scenario.equals("idle")) {
                long deadline = System.nanoTime() + (long) (s.hold * 1e9);
                // A cluster is settled when /health counts every connection; then hold the rest of the time.
                while (System.nanoTime() < deadline) {
                    Thread.sleep(250);
                }
                r.clusterSessions = servers.clusterSessions();
            }
            r.rssAfter = servers.rssBytes();
            r.heapAfter = servers.heapAfterGc();
            r.rssAfterGc = servers.rssBytes();
            if (s.histogram && servers.isJvm()) {
                ClassHistogram after = histograms("after");
                java.nio.file.Path table = s.logDir.resolve(servers.kind + "-per-connection.md");
                java.nio.file.Files.writeString(table, after.perConnection(histogramBefore, opened.get(), 1));
                r.problems.add("class histograms in " + s.logDir + "; per connection, by class: " + table);
            }
            for (IoLoop loop : loops) {
                r.connectLatency.add(loop.stats.connect);
            }
        } finally {
            stopping = true;
            for (Conn c : conns) {
                c.close();
            }
            for (IoLoop loop : loops) {
                loop.shutdown();
            }
        }
        r.problems.addAll(problems);
        return r;
    }

    /** Saves each server's whole class histogram in the log directory; @return their sum */
    private ClassHistogram histograms(String when) throws java.io.IOException {
        java.nio.file.Files.createDirectories(s.logDir);
        ClassHistogram sum = new ClassHistogram();
        for (int i = 0; i < servers.pids.size(); i++) {
            String text = Proc.classHistogram(servers.pids.get(i), Integer.MAX_VALUE);
            java.nio.file.Files.writeString(s.logDir.resolve(servers.kind + "-" + (i + 1) + "-histogram-" + when + ".txt"), text);
            sum.add(ClassHistogram.parse(text));
        }
        return sum;
    }

    /**
     * Opens and closes {@code --warm-connects} connections first (other users than the measured ones),
     * so that the measured connects meet JIT-compiled servers, as they would in production.
     */
    private void warmUp() throws Exception {
        if (s.warmConnects <= 0) {
            return;
        }
        for (int round = 0; round < 3; round++) {
            Conn[] warm = new Conn[s.warmConnects];
            for (int i = 0; i < warm.length; i++) {
                InetSocketAddress address = servers.addresses.get(i % servers.addresses.size());
                warm[i] = new Conn(i, "warm" + i, address, loops.get(i % loops.size()));
            }
            for (Conn c : warm) {
                if (!connecting.tryAcquire(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("warm-up connects stalled");
                }
                c.loop.connect(c);
            }
            if (!connecting.tryAcquire(s.connectConcurrency, 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("warm-up connects stalled");
            }
            connecting.release(s.connectConcurrency);
            stopping = true;
            for (Conn c : warm) {
                c.close();
            }
            Thread.sleep(1_000);
            stopping = false;
        }
        for (IoLoop loop : loops) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.execute(() -> {
                loop.stats.connect.clear();
                done.complete(null);
            });
            done.get(5, TimeUnit.SECONDS);
        }
        opened.set(0);
        failed.set(0);
        problems.clear();
    }

    @Override
    public void onOpen(Conn conn) {
        conn.loop.stats.connect.record((conn.openNanos - conn.connectStartNanos) / 1_000);
        opened.incrementAndGet();
        connecting.release();
    }

    @Override
    public void onText(Conn conn, byte[] a, int from, int length) {
        conn.loop.stats.unexpected++;
    }

    @Override
    public void onClosed(Conn conn, int code, String why) {
        if (stopping) {
            return;
        }
        if (conn.openNanos == 0) {
            failed.incrementAndGet();
            connecting.release();
        }
        if (problems.size() < 10) {
            problems.add(conn.user + ": " + code + " " + why);
        }
    }
}
