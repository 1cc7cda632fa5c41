package io.wscluster.loadgen;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One messaging run against one set of servers: connect, join, publish (warm-up, then the measured
 * window), drain, count.
 *
 * <p>How it measures. {@link ChatPublishers} stamps each body with its publisher, sequence and send
 * time (the intended one at a fixed rate, so a late generator shows as latency rather than hiding
 * it) on this process's monotonic clock; {@link ChatReceiver} keeps, per receiver and publisher, a
 * bit per sequence number (duplicates, reorderings). After the run, expected = sends in the window x
 * receivers of each send, and lost = expected - distinct deliveries of those sends. Deliveries/s
 * counts arrivals inside the window. This class runs the phases and the clock; the two parts do the
 * sending and the receiving.
 */
final class ChatLoad {

    private final Settings s;
    private final Cluster servers;
    private final List<IoLoop> loops = new ArrayList<>();
    private final Conn[] conns;
    private final ChatReceiver receiver;
    private final ChatPublishers publishers;

    ChatLoad(Settings s, Cluster servers) throws java.io.IOException {
        this.s = s;
        this.servers = servers;
        this.receiver = new ChatReceiver(s.connectConcurrency);
        for (int i = 0; i < s.ioThreads; i++) {
            loops.add(new IoLoop("loadgen-io-" + i, "/chat", receiver));
        }
        conns = new Conn[s.clients];
        int used = s.clientNodes == null ? servers.addresses.size() : Math.min(s.clientNodes, servers.addresses.size());
        for (int i = 0; i < s.clients; i++) {
            InetSocketAddress address = servers.addresses.get(i % used);
            conns[i] = new Conn(i, "u" + i, address, loops.get(i % loops.size()));
            ChatReceiver.attach(conns[i], s.publishers);
        }
        publishers = new ChatPublishers(s, conns);
        receiver.publishers(publishers);
    }

    Result run() throws Exception {
        Result r = new Result(s, servers);
        try {
            connectAll(r);
            joinAll(r);
            publish(r);
        } finally {
            receiver.stopping = true;
            for (Conn c : conns) {
                c.close();
            }
            for (IoLoop loop : loops) {
                loop.shutdown();
            }
        }
        count(r);
        r.problems.addAll(receiver.problems);
        return r;
    }

    private void connectAll(Result r) throws InterruptedException {
        long start = System.nanoTime();
        for (Conn c : conns) {
            if (!receiver.connecting.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("connects stalled: " + receiver.opened.get() + " open of " + conns.length);
            }
            c.loop.connect(c);
        }
        if (!receiver.connecting.tryAcquire(s.connectConcurrency, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("connects stalled: " + receiver.opened.get() + " open of " + conns.length);
        }
        receiver.connecting.release(s.connectConcurrency);
        r.connectSeconds = (System.nanoTime() - start) / 1e9;
        r.opened = receiver.opened.get();
        r.failedConnects = receiver.failedConnects.get();
        if (r.opened < conns.length) {
            throw new IllegalStateException(r.failedConnects + " of " + conns.length + " connects failed: " + receiver.problems);
        }
    }

    private void joinAll(Result r) throws InterruptedException {
        long start = System.nanoTime();
        if (s.rooms > 0) {
            for (Conn c : conns) {
                byte[] join = Frames.text("{\"op\":\"join\",\"room\":\"r" + (c.index % s.rooms) + "\"}");
                c.send(join, 0, join.length);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (receiver.joined.get() < conns.length && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (receiver.joined.get() < conns.length) {
                throw new IllegalStateException("only " + receiver.joined.get() + " of " + conns.length + " joins answered: " + receiver.problems);
            }
        }
        r.joinSeconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(500);
    }

    private void publish(Result r) throws InterruptedException {
        long t0 = System.nanoTime();
        publishers.t0 = t0;
        long warmEnd = t0 + (long) (s.warmup * 1e9);
        long end = warmEnd + (long) (s.duration * 1e9);
        receiver.windowStart = warmEnd;
        receiver.windowEnd = end;
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> publishers.sendLoop(t0, warmEnd, end), runnable -> {
            Thread t = new Thread(runnable, "loadgen-publisher");
            t.setDaemon(true);
            t.start();
        });
        long self = ProcessHandle.current().pid();
        sleepUntil(warmEnd);
        long[] net0 = Proc.tcpBytesReceived(servers.pids);
        long[] cpu0 = servers.cpuNanos();
        long gen0 = Proc.cpuNanos(self);
        long machine0 = Proc.machineBusyNanos();
        r.loadBefore = Proc.loadAverage();
        sleepUntil(end);
        long[] cpu1 = servers.cpuNanos();
        long gen1 = Proc.cpuNanos(self);
        long[] net1 = Proc.tcpBytesReceived(servers.pids);
        r.tcpBytesIn = new long[net0.length];
        for (int i = 0; i < net0.length; i++) {
            r.tcpBytesIn[i] = net0[i] < 0 || net1[i] < 0 ? -1 : net1[i] - net0[i];
        }
        long machine1 = Proc.machineBusyNanos();
        r.loadAfter = Proc.loadAverage();
        r.rss = servers.rssBytes();
        r.nodeCpuNanos = new long[cpu0.length];
        for (int i = 0; i < cpu0.length; i++) {
            r.nodeCpuNanos[i] = cpu1[i] - cpu0[i];
        }
        r.generatorCpuNanos = gen1 - gen0;
        r.otherCpuNanos = (machine1 - machine0) - r.generatorCpuNanos - r.totalCpuNanos();
        try {
            sender.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("publisher failed", e);
        }
        // Drain: wait for what is in flight, at most --drain seconds, until deliveries stop changing.
        long drainEnd = System.nanoTime() + (long) (s.drain * 1e9);
        long last = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < drainEnd) {
            Thread.sleep(100);
            long now = deliveredSoFar();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > 1_000_000_000L) {
                break;
            }
        }
        r.closedDuringRun = receiver.closedDuringRun.get();
    }

    private long deliveredSoFar() throws InterruptedException {
        long total = 0;
        for (IoLoop loop : loops) {
            CompletableFuture<Long> f = new CompletableFuture<>();
            loop.execute(() -> f.complete(loop.stats.deliveries));
            try {
                total += f.get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                return -1;
            }
        }
        return total;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000L));
        }
    }

    // ---- after the run ----------------------------------------------------------------------------

    private void count(Result r) {
        for (IoLoop loop : loops) {
            LoopStats st = loop.stats;
            r.deliveries += st.deliveries;
            r.windowDeliveries += st.windowDeliveries;
            r.duplicates += st.duplicates;
            r.reordered += st.reordered;
            r.errors += st.errors;
            r.unexpected += st.unexpected;
            r.latency.add(st.latency);
            r.connectLatency.add(st.connect);
        }
        publishers.count(r);
        receiver.count(r, conns);
    }
}
