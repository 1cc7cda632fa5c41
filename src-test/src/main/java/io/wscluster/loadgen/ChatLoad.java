package io.wscluster.loadgen;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One messaging run against one set of servers: connect, join, publish (warm-up, then the measured
 * window), drain, count.
 *
 * <p>How it measures. A body is {@code PUBLISHER.SEQ.NANOS.} padded to the payload size; NANOS is the
 * send time (the intended one at a fixed rate, so a late generator shows as latency rather than
 * hiding it) on this process's monotonic clock. Every receiver keeps, per publisher, a bit per
 * sequence number: a bit already set is a duplicate, a sequence below the highest seen is a
 * reordering. After the run, expected = sends in the window x receivers of each send, and lost =
 * expected - distinct deliveries of those sends. Deliveries/s counts arrivals inside the window.
 * Parsing finds the few fields it needs in the frame's bytes; no strings, no JSON trees.
 */
final class ChatLoad implements IoLoop.Handler {

    private static final byte[] OP = Frames.ascii("\"op\":\"");
    private static final byte[] MSG = Frames.ascii("msg\"");
    private static final byte[] DIRECT = Frames.ascii("direct\"");
    private static final byte[] JOINED = Frames.ascii("joined\"");
    private static final byte[] ERROR = Frames.ascii("error\"");
    private static final byte[] BODY = Frames.ascii("\"body\":\"");
    private static final int RING = 4096;
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Settings s;
    private final Cluster servers;
    private final List<IoLoop> loops = new ArrayList<>();
    private final Conn[] conns;
    private final Publisher[] pubs;
    private final Semaphore connecting;
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger failedConnects = new AtomicInteger();
    private final AtomicInteger joined = new AtomicInteger();
    private final AtomicInteger closedDuringRun = new AtomicInteger();
    private final Queue<String> problems = new ConcurrentLinkedQueue<>();
    private final boolean closedLoop;
    private volatile boolean stopping;
    private volatile long t0;
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;
    private long stalls;
    private long sendFailures;

    /** A publishing connection and its sequence. */
    private static final class Publisher {
        final int index;
        final Conn conn;
        final byte[] prefix;
        final int expected;
        long seq;
        long firstInWindow = -1;
        long lastInWindow = -2;
        final AtomicLong completed = new AtomicLong();
        AtomicIntegerArray remaining;
        long lastProgressNanos;
        long lastCompleted;
        final int mask = ThreadLocalRandom.current().nextInt();

        Publisher(int index, Conn conn, String framePrefix, int expected) {
            this.index = index;
            this.conn = conn;
            this.prefix = framePrefix.getBytes(StandardCharsets.UTF_8);
            this.expected = expected;
        }
    }

    /** Per-publisher state at one receiver. */
    private static final class Pair {
        long highest = -1;
        final BitSet seen = new BitSet();
    }

    ChatLoad(Settings s, Cluster servers) throws java.io.IOException {
        this.s = s;
        this.servers = servers;
        this.closedLoop = s.rate <= 0;
        this.connecting = new Semaphore(s.connectConcurrency);
        for (int i = 0; i < s.ioThreads; i++) {
            loops.add(new IoLoop("loadgen-io-" + i, "/chat", this));
        }
        conns = new Conn[s.clients];
        int used = s.clientNodes == null ? servers.addresses.size() : Math.min(s.clientNodes, servers.addresses.size());
        for (int i = 0; i < s.clients; i++) {
            InetSocketAddress address = servers.addresses.get(i % used);
            conns[i] = new Conn(i, "u" + i, address, loops.get(i % loops.size()));
            conns[i].receiver = new Pair[s.publishers];
        }
        pubs = new Publisher[s.publishers];
        for (int p = 0; p < s.publishers; p++) {
            if (s.rooms > 0) {
                // Publisher p is client c with c % rooms spread over the rooms and over the nodes.
                int c = p;
                String room = "r" + (c % s.rooms);
                int members = s.clients / s.rooms + (c % s.rooms < s.clients % s.rooms ? 1 : 0);
                pubs[p] = new Publisher(p, conns[c], "{\"op\":\"send\",\"room\":\"" + room + "\",\"body\":\"", members);
            } else {
                // Each publisher writes to the next client's user: on another node whenever there are several.
                int partner = (p + 1) % s.clients;
                pubs[p] = new Publisher(p, conns[p], "{\"op\":\"direct\",\"to\":\"u" + partner + "\",\"body\":\"", 1);
            }
            if (closedLoop) {
                pubs[p].remaining = new AtomicIntegerArray(RING);
            }
        }
        if (closedLoop && s.window >= RING / 2) {
            throw new IllegalArgumentException("--window must be < " + RING / 2);
        }
    }

    Result run() throws Exception {
        Result r = new Result(s, servers);
        try {
            connectAll(r);
            joinAll(r);
            publish(r);
        } finally {
            stopping = true;
            for (Conn c : conns) {
                c.close();
            }
            for (IoLoop loop : loops) {
                loop.shutdown();
            }
        }
        count(r);
        r.problems.addAll(problems);
        return r;
    }

    private void connectAll(Result r) throws InterruptedException {
        long start = System.nanoTime();
        for (Conn c : conns) {
            if (!connecting.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("connects stalled: " + opened.get() + " open of " + conns.length);
            }
            c.loop.connect(c);
        }
        if (!connecting.tryAcquire(s.connectConcurrency, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("connects stalled: " + opened.get() + " open of " + conns.length);
        }
        connecting.release(s.connectConcurrency);
        r.connectSeconds = (System.nanoTime() - start) / 1e9;
        r.opened = opened.get();
        r.failedConnects = failedConnects.get();
        if (r.opened < conns.length) {
            throw new IllegalStateException(r.failedConnects + " of " + conns.length + " connects failed: " + problems);
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
            while (joined.get() < conns.length && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (joined.get() < conns.length) {
                throw new IllegalStateException("only " + joined.get() + " of " + conns.length + " joins answered: " + problems);
            }
        }
        r.joinSeconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(500);
    }

    private void publish(Result r) throws InterruptedException {
        t0 = System.nanoTime();
        long warmEnd = t0 + (long) (s.warmup * 1e9);
        long end = warmEnd + (long) (s.duration * 1e9);
        windowStart = warmEnd;
        windowEnd = end;
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> sendLoop(t0, warmEnd, end), runnable -> {
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
        r.closedDuringRun = closedDuringRun.get();
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

    private void sendLoop(long start, long warmEnd, long end) {
        byte[] payload = new byte[256 + s.payload];
        byte[] frame = new byte[payload.length + 16];
        double interval = closedLoop ? 0 : 1e9 * pubs.length / s.rate; // nanos between sends of one publisher
        for (Publisher p : pubs) {
            p.lastProgressNanos = start;
        }
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                return;
            }
            boolean sent = false;
            long nextDue = now + 1_000_000;
            for (Publisher p : pubs) {
                if (closedLoop) {
                    int budget = 64;
                    while (budget-- > 0 && p.seq - p.completed.get() < s.window) {
                        if (send(p, now, now, warmEnd, payload, frame)) {
                            sent = true;
                        } else {
                            break;
                        }
                    }
                    long done = p.completed.get();
                    if (done != p.lastCompleted) {
                        p.lastCompleted = done;
                        p.lastProgressNanos = now;
                    } else if (p.seq - done >= s.window && now - p.lastProgressNanos > STALL_NANOS) {
                        // Something it sent will not complete (a receiver closed or a message lost): go on.
                        p.completed.set(p.seq);
                        p.lastProgressNanos = now;
                        stalls++;
                    }
                } else {
                    int budget = 64;
                    while (budget-- > 0) {
                        long due = start + (long) ((p.seq + (double) p.index / pubs.length) * interval);
                        if (due > now) {
                            nextDue = Math.min(nextDue, due);
                            break;
                        }
                        send(p, due, now, warmEnd, payload, frame);
                        sent = true;
                    }
                }
            }
            if (!sent) {
                // Closed loop: poll the completions often; fixed rate: sleep until the next send is due.
                LockSupport.parkNanos(closedLoop ? 50_000 : Math.max(10_000, nextDue - System.nanoTime()));
            }
        }
    }

    /** Sends one message stamped {@code stamp}; false if the connection is gone. */
    private boolean send(Publisher p, long stamp, long now, long warmEnd, byte[] payload, byte[] frame) {
        int n = p.prefix.length;
        System.arraycopy(p.prefix, 0, payload, 0, n);
        int bodyStart = n;
        n = writeLong(payload, n, p.index);
        payload[n++] = '.';
        n = writeLong(payload, n, p.seq);
        payload[n++] = '.';
        n = writeLong(payload, n, stamp - t0);
        payload[n++] = '.';
        int bodyEnd = bodyStart + s.payload;
        while (n < bodyEnd) {
            payload[n++] = 'x';
        }
        payload[n++] = '"';
        payload[n++] = '}';
        if (closedLoop) {
            p.remaining.set((int) (p.seq % RING), p.expected);
        }
        int length = Frames.text(payload, n, frame, p.mask);
        if (!p.conn.send(frame, 0, length)) {
            sendFailures++;
            return false;
        }
        if (stamp >= warmEnd) {
            if (p.firstInWindow < 0) {
                p.firstInWindow = p.seq;
            }
            p.lastInWindow = p.seq;
        }
        p.seq++;
        return true;
    }

    private static int writeLong(byte[] a, int at, long v) {
        if (v == 0) {
            a[at] = '0';
            return at + 1;
        }
        int digits = 0;
        for (long x = v; x > 0; x /= 10) {
            digits++;
        }
        int end = at + digits;
        for (int i = end - 1; i >= at; i--) {
            a[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return end;
    }

    // ---- loop thread ----------------------------------------------------------------------------

    @Override
    public void onOpen(Conn conn) {
        conn.loop.stats.connect.record((conn.openNanos - conn.connectStartNanos) / 1_000);
        opened.incrementAndGet();
        connecting.release();
    }

    @Override
    public void onClosed(Conn conn, int code, String why) {
        if (stopping) {
            return;
        }
        if (conn.openNanos == 0) {
            failedConnects.incrementAndGet();
            connecting.release();
        } else {
            closedDuringRun.incrementAndGet();
        }
        if (problems.size() < 10) {
            problems.add(conn.user + ": " + code + " " + why);
        }
    }

    @Override
    public void onText(Conn conn, byte[] a, int from, int length) {
        int end = from + length;
        int op = Frames.indexOf(a, from, Math.min(end, from + 64), OP);
        if (op < 0) {
            conn.loop.stats.unexpected++;
            return;
        }
        op += OP.length;
        if (Frames.startsWith(a, op, end, MSG) || Frames.startsWith(a, op, end, DIRECT)) {
            int body = Frames.indexOf(a, op, end, BODY);
            if (body >= 0) {
                delivered(conn, a, body + BODY.length, end);
                return;
            }
        } else if (Frames.startsWith(a, op, end, JOINED)) {
            joined.incrementAndGet();
            return;
        } else if (Frames.startsWith(a, op, end, ERROR)) {
            conn.loop.stats.errors++;
            if (problems.size() < 10) {
                problems.add(conn.user + ": " + new String(a, from, length, StandardCharsets.UTF_8));
            }
            return;
        }
        conn.loop.stats.unexpected++;
    }

    private void delivered(Conn conn, byte[] a, int at, int end) {
        long now = System.nanoTime();
        LoopStats stats = conn.loop.stats;
        int i = at;
        long pubValue = 0;
        byte b;
        while (i < end && (b = a[i]) != '.') {
            pubValue = pubValue * 10 + (b - '0');
            i++;
        }
        i++;
        long seq = 0;
        while (i < end && (b = a[i]) != '.') {
            seq = seq * 10 + (b - '0');
            i++;
        }
        i++;
        long stamp = 0;
        while (i < end && (b = a[i]) != '.') {
            stamp = stamp * 10 + (b - '0');
            i++;
        }
        int pub = (int) pubValue;
        long sentAt = t0 + stamp;
        Pair[] pairs = (Pair[]) conn.receiver;
        if (pub >= pairs.length) {
            stats.unexpected++;
            return;
        }
        Pair pair = pairs[pub];
        if (pair == null) {
            pair = pairs[pub] = new Pair();
        }
        if (pair.seen.get((int) seq)) {
            stats.duplicates++;
            return;
        }
        pair.seen.set((int) seq);
        if (seq < pair.highest) {
            stats.reordered++;
        } else {
            pair.highest = seq;
        }
        stats.deliveries++;
        if (now >= windowStart && now < windowEnd) {
            stats.windowDeliveries++;
        }
        if (sentAt >= windowStart && sentAt < windowEnd) {
            stats.latency.record((now - sentAt) / 1_000);
        }
        if (closedLoop) {
            Publisher p = pubs[pub];
            if (p.remaining.decrementAndGet((int) (seq % RING)) == 0) {
                p.completed.incrementAndGet();
            }
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
        for (Publisher p : pubs) {
            r.sent += p.seq;
            long inWindow = Math.max(0, p.lastInWindow - p.firstInWindow + 1);
            r.windowSent += inWindow;
            r.expected += inWindow * p.expected;
        }
        for (Conn c : conns) {
            Pair[] pairs = (Pair[]) c.receiver;
            for (int p = 0; p < pairs.length; p++) {
                Pair pair = pairs[p];
                Publisher pub = pubs[p];
                if (pair != null && pub.firstInWindow >= 0) {
                    r.windowDistinct += pair.seen.get((int) pub.firstInWindow, (int) pub.lastInWindow + 1).cardinality();
                }
            }
        }
        r.stalls = stalls;
        r.sendFailures = sendFailures;
    }
}
