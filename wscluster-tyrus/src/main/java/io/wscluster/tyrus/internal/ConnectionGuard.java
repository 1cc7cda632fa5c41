package io.wscluster.tyrus.internal;

import io.wscluster.tyrus.AdmissionSettings;
import org.glassfish.grizzly.CloseListener;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.ICloseType;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.memory.Buffers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Tracks every accepted socket from accept to close, so that hostile clients cannot hold a node's
 * sockets, file descriptors or connection slots: the transport-level half of admission (the
 * {@link AdmissionFilter} is the HTTP-level half).
 *
 * <p>Design notes. A socket counts from the moment it is accepted, long before its request head
 * arrives: against the node's connection cap (a handshake in progress holds a slot; a plain HTTP
 * request gives its slot back), against its client address's bound, and against the socket bound,
 * which leaves a reserve of file descriptors free below {@code ulimit -n}. A socket that has not
 * completed its handshake (the 101 is written) within the handshake timeout is closed by a sweep;
 * a plain HTTP connection must send each request head within that time of the previous one. At the
 * socket bound, a new socket makes room by closing the oldest one that has not completed a handshake
 * (a slowloris socket, an idle HTTP connection): a legitimate client completes its handshake in
 * milliseconds and stops being a candidate, so holding sockets costs an attacker a steady stream of
 * new connections instead of locking everyone out, and {@code /health} and new clients are still
 * accepted. Only when every socket is upgraded is the new one closed at once. Connections from a
 * trusted proxy are counted per address at their request head, under the client the proxy names.
 * With a silence timeout the same sweep closes upgraded connections whose client has sent no
 * frame for that long.
 */
// Grizzly 4's CloseListener is typed by the deprecated ICloseType; it has no other close callback.
@SuppressWarnings("deprecation")
final class ConnectionGuard extends BaseFilter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final Attribute<Tracked> TRACKED =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(ConnectionGuard.class.getName() + ".tracked");
    private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final byte[] CLOSE_SILENT = closeFrame(1000, "idle timeout");

    /** Why an upgrade request is refused with 503, if it is. */
    enum Verdict { ADMIT, OVER_CAPACITY, OVER_ADDRESS }

    /** One accepted socket; its fields are guarded by the guard's lock unless volatile. */
    private static final class Tracked {
        final Connection<?> connection;
        final String peer;
        volatile long deadline;
        volatile long lastReceived;
        boolean released;
        boolean upgraded;
        boolean slot;
        boolean overAddress;
        String countedAddress;

        Tracked(Connection<?> connection, String peer, long deadline) {
            this.connection = connection;
            this.peer = peer;
            this.deadline = deadline;
        }
    }

    private final ServerRuntime runtime;
    private final int maxSockets;
    private final long handshakeTimeoutNanos;
    private final long silenceTimeoutNanos;
    private final int perAddress;
    private final Set<String> trustedProxies;
    private final String forwardedForHeader;
    private final Object lock = new Object();
    private final LinkedHashMap<Connection<?>, Tracked> pending = new LinkedHashMap<>();
    private final Map<Connection<?>, Tracked> upgraded = new HashMap<>();
    private final Map<String, Integer> perAddressCounts = new HashMap<>();
    private final ScheduledExecutorService sweeper;
    private final CloseListener<Closeable, ICloseType> releaseOnClose;
    private int open;
    private long lastWarned = System.nanoTime() - WARN_INTERVAL_NANOS;

    ConnectionGuard(ServerRuntime runtime) {
        this.runtime = runtime;
        AdmissionSettings a = runtime.settings().admission();
        this.maxSockets = SocketBound.of(a, runtime.settings().port());
        this.handshakeTimeoutNanos = a.handshakeTimeout().toNanos();
        this.silenceTimeoutNanos = runtime.settings().inbound().silenceTimeout().toNanos();
        this.perAddress = a.maxConnectionsPerAddress();
        this.trustedProxies = Set.copyOf(a.trustedProxies());
        this.forwardedForHeader = a.forwardedForHeader();
        this.releaseOnClose = (closeable, type) -> {
            if (closeable instanceof Connection<?> c) {
                Tracked t = TRACKED.get(c);
                if (t != null) {
                    release(t);
                }
            }
        };
        long period = Math.max(10, Math.min(250, Math.min(a.handshakeTimeout().toMillis(),
                silenceTimeoutNanos > 0 ? TimeUnit.NANOSECONDS.toMillis(silenceTimeoutNanos) : Long.MAX_VALUE) / 4));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wscluster-guard-" + runtime.settings().port());
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /** @return the socket bound in force */
    int maxSockets() {
        return maxSockets;
    }

    @Override
    public NextAction handleAccept(FilterChainContext ctx) {
        Connection<?> connection = ctx.getConnection();
        Tracked t = new Tracked(connection, peerOf(connection), System.nanoTime() + handshakeTimeoutNanos);
        Tracked evicted = null;
        boolean refused = false;
        synchronized (lock) {
            if (open >= maxSockets) {
                evicted = oldestPending();
                refused = evicted == null;
            }
            if (!refused) {
                open++;
                pending.put(connection, t);
                t.slot = runtime.tryAdmit();
                if (perAddress > 0 && !trustedProxies.contains(t.peer)) {
                    t.overAddress = !countAddress(t, t.peer);
                }
            }
        }
        if (evicted != null || refused) {
            warnAtBound(evicted != null);
        }
        if (evicted != null) {
            evicted.connection.closeSilently();
        }
        if (refused) {
            connection.closeSilently();
            return ctx.getStopAction();
        }
        TRACKED.set(connection, t);
        connection.addCloseListener(releaseOnClose);
        return ctx.getInvokeAction();
    }

    /** Takes the oldest connection that has not completed a handshake out of the counts; null if none. */
    private Tracked oldestPending() {
        Iterator<Tracked> it = pending.values().iterator();
        if (!it.hasNext()) {
            return null;
        }
        Tracked oldest = it.next();
        releaseLocked(oldest);
        return oldest;
    }

    private void warnAtBound(boolean evicted) {
        long now = System.nanoTime();
        boolean warn;
        synchronized (lock) {
            warn = now - lastWarned >= WARN_INTERVAL_NANOS;
            if (warn) {
                lastWarned = now;
            }
        }
        String what = evicted ? "closing the oldest connection that has not completed its handshake"
                : "every socket is an upgraded connection: closing the new one";
        if (warn) {
            LOG.warn("Port {} holds {} sockets, its bound (file-descriptor limit minus reserve, or maxSockets): {};"
                    + " further cases within a minute are logged at debug", runtime.settings().port(), maxSockets, what);
        } else {
            LOG.debug("Port {} at its socket bound {}: {}", runtime.settings().port(), maxSockets, what);
        }
    }

    /**
     * An upgrade request's head arrived: decides whether its connection may upgrade.
     *
     * @param forwarded the forwarded-for header's values (read only for a trusted proxy)
     */
    Verdict admitUpgrade(Connection<?> connection, List<String> forwarded) {
        Tracked t = TRACKED.get(connection);
        if (t == null) {
            return Verdict.ADMIT; // accepted before this guard existed: nothing to count
        }
        synchronized (lock) {
            if (t.released) {
                return Verdict.OVER_CAPACITY; // evicted meanwhile
            }
            if (!t.slot) {
                t.slot = runtime.tryAdmit();
                if (!t.slot) {
                    return Verdict.OVER_CAPACITY;
                }
            }
            if (perAddress > 0 && t.countedAddress == null) {
                String client = trustedProxies.contains(t.peer)
                        ? ClientAddresses.forwardedClient(t.peer, forwarded, trustedProxies) : t.peer;
                if (!countAddress(t, client)) {
                    return Verdict.OVER_ADDRESS;
                }
                t.overAddress = false;
            }
        }
        return Verdict.ADMIT;
    }

    /** A plain HTTP request's head arrived: the connection gives back its slots and has a new deadline. */
    void plainRequest(Connection<?> connection) {
        Tracked t = TRACKED.get(connection);
        if (t == null) {
            return;
        }
        synchronized (lock) {
            if (t.slot) {
                t.slot = false;
                runtime.release();
            }
            uncountAddress(t);
        }
        t.deadline = System.nanoTime() + handshakeTimeoutNanos;
    }

    /** The 101 was written: the connection is a WebSocket now, out of reach of the handshake timeout. */
    void upgraded(Connection<?> connection) {
        Tracked t = TRACKED.get(connection);
        if (t == null) {
            return;
        }
        t.lastReceived = System.nanoTime();
        synchronized (lock) {
            if (!t.released && !t.upgraded) {
                t.upgraded = true;
                pending.remove(connection);
                upgraded.put(connection, t);
            }
        }
    }

    /** Bytes arrived on an upgraded connection. */
    void received(Connection<?> connection) {
        if (silenceTimeoutNanos > 0) {
            Tracked t = TRACKED.get(connection);
            if (t != null) {
                t.lastReceived = System.nanoTime();
            }
        }
    }

    private boolean countAddress(Tracked t, String address) {
        int n = perAddressCounts.getOrDefault(address, 0);
        if (n >= perAddress) {
            return false;
        }
        perAddressCounts.put(address, n + 1);
        t.countedAddress = address;
        return true;
    }

    private void uncountAddress(Tracked t) {
        if (t.countedAddress != null) {
            perAddressCounts.computeIfPresent(t.countedAddress, (k, n) -> n <= 1 ? null : n - 1);
            t.countedAddress = null;
        }
    }

    private void release(Tracked t) {
        synchronized (lock) {
            releaseLocked(t);
        }
    }

    private void releaseLocked(Tracked t) {
        if (t.released) {
            return;
        }
        t.released = true;
        open--;
        pending.remove(t.connection);
        upgraded.remove(t.connection);
        if (t.slot) {
            t.slot = false;
            runtime.release();
        }
        uncountAddress(t);
    }

    /** Closes connections past their handshake deadline, and silent ones past the silence timeout. */
    private void sweep() {
        try {
            long now = System.nanoTime();
            List<Tracked> late = new ArrayList<>();
            List<Tracked> silent = new ArrayList<>();
            synchronized (lock) {
                for (Tracked t : pending.values()) {
                    if (now - t.deadline >= 0) {
                        late.add(t);
                    }
                }
                if (silenceTimeoutNanos > 0) {
                    for (Tracked t : upgraded.values()) {
                        if (now - t.lastReceived >= silenceTimeoutNanos) {
                            silent.add(t);
                        }
                    }
                }
            }
            for (Tracked t : late) {
                LOG.debug("Closing {}: no handshake within {} ms", t.peer, TimeUnit.NANOSECONDS.toMillis(handshakeTimeoutNanos));
                release(t);
                t.connection.closeSilently();
            }
            for (Tracked t : silent) {
                LOG.debug("Closing {}: nothing received for {} ms", t.peer, TimeUnit.NANOSECONDS.toMillis(silenceTimeoutNanos));
                release(t);
                Connection<?> c = t.connection;
                c.write(Buffers.wrap(c.getMemoryManager(), CLOSE_SILENT));
                c.closeSilently();
            }
        } catch (RuntimeException e) {
            LOG.warn("Connection sweep failed", e);
        }
    }

    /** Stops the sweep (the server is stopping). */
    void shutdown() {
        sweeper.shutdownNow();
    }

    private static String peerOf(Connection<?> connection) {
        Object peer = connection.getPeerAddress();
        if (peer instanceof InetSocketAddress address && address.getAddress() != null) {
            return address.getAddress().getHostAddress();
        }
        return String.valueOf(peer);
    }

    /** A server close frame (unmasked). */
    static byte[] closeFrame(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[4 + text.length];
        frame[0] = (byte) 0x88;
        frame[1] = (byte) (2 + text.length);
        frame[2] = (byte) (code >> 8);
        frame[3] = (byte) (code & 0xff);
        System.arraycopy(text, 0, frame, 4, text.length);
        return frame;
    }
}
