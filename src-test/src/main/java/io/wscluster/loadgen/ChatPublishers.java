package io.wscluster.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The sending side of a {@link ChatLoad} run: the publishers, their sequences and the one thread
 * that paces them.
 *
 * <p>A body is {@code PUBLISHER.SEQ.NANOS.} padded to the payload size; NANOS is the send time
 * relative to {@link #t0} (the intended one at a fixed rate, so a late generator shows as latency
 * rather than hiding it). At a fixed rate each publisher sends on its own schedule; in the closed
 * loop (--rate 0) each keeps at most --window sends not yet delivered to every receiver, counted down
 * per send in a ring by {@link ChatReceiver} through {@link #deliveredTo}.
 */
final class ChatPublishers {

    static final int RING = 4096;
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Settings s;
    private final boolean closedLoop;
    final Publisher[] pubs;
    /** The start of publishing on this process's monotonic clock; bodies carry times relative to it. */
    volatile long t0;
    private long stalls;
    private long sendFailures;

    /** A publishing connection and its sequence. */
    static final class Publisher {
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

    ChatPublishers(Settings s, Conn[] conns) {
        this.s = s;
        this.closedLoop = s.rate <= 0;
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

    /** Closed loop, on a loop thread: one receiver got {@code seq} of publisher {@code pub}. */
    void deliveredTo(int pub, long seq) {
        if (closedLoop) {
            Publisher p = pubs[pub];
            if (p.remaining.decrementAndGet((int) (seq % RING)) == 0) {
                p.completed.incrementAndGet();
            }
        }
    }

    void sendLoop(long start, long warmEnd, long end) {
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

    /** After the run (the sender thread joined): sends, sends in the window, expected deliveries. */
    void count(Result r) {
        for (Publisher p : pubs) {
            r.sent += p.seq;
            long inWindow = Math.max(0, p.lastInWindow - p.firstInWindow + 1);
            r.windowSent += inWindow;
            r.expected += inWindow * p.expected;
        }
        r.stalls = stalls;
        r.sendFailures = sendFailures;
    }
}
