package io.wscluster.tyrus.internal;

import io.wscluster.CloseCode;
import io.wscluster.Message;
import io.wscluster.SessionId;
import io.wscluster.tyrus.OverflowPolicy;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sessions of this server registered in the cluster, where the cluster's deliveries find them.
 *
 * <p>Design notes. A session is added before it is registered, so nothing sent to it right after its
 * registration is lost. A delivery is an offer to the session's bounded {@link Outbound} queue and
 * never blocks the fan-out thread; all receivers of one delivery share one {@link Outgoing}, so its
 * frame is built once; a full queue applies the server's {@link OverflowPolicy} (drop the
 * message, or close the session). A session is deregistered exactly once ({@link LocalSession#markDeregistered}),
 * by whichever comes first: its socket's close, a close decided here (slow consumer, drain) or an
 * expired reservation. A slow consumer is removed locally at once (no more messages are queued for
 * it) and in the cluster on the {@link SessionCloser}'s thread.
 */
final class ClusteredSessions {

    private static final Logger LOG = LoggerFactory.getLogger(ClusteredSessions.class);

    private final Settings settings;
    private final Counters counters;
    private final SessionRegistrar registrar;
    private final SessionCloser closer;
    private final ConcurrentMap<SessionId, LocalSession> sessions = new ConcurrentHashMap<>();
    private final AtomicBoolean warnedSlowConsumer = new AtomicBoolean();

    ClusteredSessions(Settings settings, Counters counters, SessionRegistrar registrar, SessionCloser closer) {
        this.settings = settings;
        this.counters = counters;
        this.registrar = registrar;
        this.closer = closer;
    }

    /** Makes a session reachable by deliveries (before it is registered). */
    void add(LocalSession local) {
        sessions.put(local.id(), local);
    }

    /** Forgets a session whose registration failed, and drops its queue. */
    void discard(LocalSession local) {
        sessions.remove(local.id(), local);
        local.outbound().close();
    }

    /** @see io.wscluster.spi.LocalDelivery#deliver */
    void deliver(Collection<SessionId> ids, Message message) {
        Outgoing outgoing = new Outgoing(message); // one frame for all of them (see Outgoing)
        for (SessionId id : ids) {
            LocalSession local = sessions.get(id);
            if (local == null) {
                continue;
            }
            Outbound.Offer result = local.outbound().offer(outgoing);
            if (result == Outbound.Offer.FULL) {
                overflow(local);
            } else if (result == Outbound.Offer.CLOSED) {
                counters.dropped.increment();
                local.countDropped();
            }
        }
    }

    /** @see io.wscluster.spi.LocalDelivery#close */
    void close(SessionId id, CloseCode code) {
        LocalSession local = sessions.get(id);
        if (local != null) {
            closeSession(local, SessionCloser.toReason(code));
        }
    }

    /** Deregisters a session once (the caller's thread does the cluster call). */
    void deregister(LocalSession local) {
        if (!local.markDeregistered()) {
            return;
        }
        local.outbound().close();
        sessions.remove(local.id(), local);
        removeFromCluster(local);
    }

    /** Deregisters every session still known, whatever its socket does (drain). */
    void deregisterAll() {
        List<LocalSession> all = new ArrayList<>(sessions.values());
        for (LocalSession local : all) {
            deregister(local);
        }
    }

    private void overflow(LocalSession local) {
        counters.dropped.increment();
        local.countDropped();
        boolean first = warnedSlowConsumer.compareAndSet(false, true);
        if (settings.outbound().overflowPolicy() == OverflowPolicy.DROP_NEWEST) {
            log(first, local, "dropping messages (policy DROP_NEWEST)");
            return;
        }
        if (local.markClosing()) {
            counters.slowConsumerCloses.increment();
            log(first, local, "closing it (policy CLOSE)");
            deregisterSoon(local);
            closeSession(local, new CloseReason(
                    CloseReason.CloseCodes.getCloseCode(settings.outbound().overflowCloseCode()), "outbound queue full"));
        }
    }

    private void log(boolean warn, LocalSession local, String action) {
        if (!warn && !LOG.isDebugEnabled()) {
            return;
        }
        Outbound.Backlog b = local.outbound().lastRefusal();
        String format = "Outbound queue of session {} is full: it holds {} message(s) / {} bytes behind the one in"
                + " flight (bounds {} messages / {} bytes) and refused one of {} bytes; {}"
                + (warn ? "; further slow consumers are logged at debug" : "");
        Object[] args = {local.id(), b == null ? 0 : b.messages(), b == null ? 0 : b.bytes(),
                settings.outbound().maxQueuedMessages(), settings.outbound().maxQueuedBytes(), b == null ? 0 : b.messageBytes(), action};
        if (warn) {
            LOG.warn(format, args);
        } else {
            LOG.debug(format, args);
        }
    }

    /**
     * Deregisters at once locally (no more messages are queued for the session) and in the cluster
     * on the closer's thread: the caller is a fan-out thread, which a slow consumer must not block.
     */
    private void deregisterSoon(LocalSession local) {
        if (!local.markDeregistered()) {
            return;
        }
        local.outbound().close();
        sessions.remove(local.id(), local);
        closer.execute(() -> removeFromCluster(local));
    }

    private void removeFromCluster(LocalSession local) {
        try {
            registrar.closed(local.id());
        } catch (RuntimeException e) {
            LOG.debug("Deregistering session {} failed: {}", local.id(), e.toString());
        }
    }

    /** Closes a session's socket, or, for one still in its handshake, has it closed when it opens. */
    private void closeSession(LocalSession local, CloseReason reason) {
        Session session = local.session();
        if (session == null) {
            local.closeWhenBound(reason);
            session = local.session(); // bound meanwhile: bind() may have missed the reason
            if (session == null) {
                return;
            }
        }
        closer.closeAsync(session, reason);
    }
}
