package io.wscluster.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The receiving side of a {@link ChatLoad} run: what the I/O loops hear (opens, closes, frames) and
 * the per-receiver bookkeeping.
 *
 * <p>Every receiver keeps, per publisher, a bit per sequence number: a bit already set is a
 * duplicate, a sequence below the highest seen is a reordering. Parsing finds the few fields it
 * needs in the frame's bytes; no strings, no JSON trees. Every {@code on*} method runs on a loop
 * thread and touches that loop's {@link LoopStats} only, besides the shared counters here.
 */
final class ChatReceiver implements IoLoop.Handler {

    private static final byte[] OP = Frames.ascii("\"op\":\"");
    private static final byte[] MSG = Frames.ascii("msg\"");
    private static final byte[] DIRECT = Frames.ascii("direct\"");
    private static final byte[] JOINED = Frames.ascii("joined\"");
    private static final byte[] ERROR = Frames.ascii("error\"");
    private static final byte[] BODY = Frames.ascii("\"body\":\"");

    final Semaphore connecting;
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger failedConnects = new AtomicInteger();
    final AtomicInteger joined = new AtomicInteger();
    final AtomicInteger closedDuringRun = new AtomicInteger();
    final Queue<String> problems = new ConcurrentLinkedQueue<>();
    volatile boolean stopping;
    volatile long windowStart = Long.MAX_VALUE;
    volatile long windowEnd = Long.MAX_VALUE;
    /** Set before the first connect, which hands it to the loop threads. */
    private ChatPublishers publishers;

    /** Per-publisher state at one receiver. */
    private static final class Pair {
        long highest = -1;
        final BitSet seen = new BitSet();
    }

    ChatReceiver(int connectConcurrency) {
        this.connecting = new Semaphore(connectConcurrency);
    }

    void publishers(ChatPublishers publishers) {
        this.publishers = publishers;
    }

    /** Gives {@code conn} its receiver state: one slot per publisher. */
    static void attach(Conn conn, int publishers) {
        conn.receiver = new Pair[publishers];
    }

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
        long sentAt = publishers.t0 + stamp;
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
        publishers.deliveredTo(pub, seq);
    }

    /** After the run (the loops shut down): distinct deliveries of the sends in the window. */
    void count(Result r, Conn[] conns) {
        ChatPublishers.Publisher[] pubs = publishers.pubs;
        for (Conn c : conns) {
            Pair[] pairs = (Pair[]) c.receiver;
            for (int p = 0; p < pairs.length; p++) {
                Pair pair = pairs[p];
                ChatPublishers.Publisher pub = pubs[p];
                if (pair != null && pub.firstInWindow >= 0) {
                    r.windowDistinct += pair.seen.get((int) pub.firstInWindow, (int) pub.lastInWindow + 1).cardinality();
                }
            }
        }
    }
}
