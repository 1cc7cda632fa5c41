package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.CloseCode;
import io.wscluster.Message;
import io.wscluster.SessionId;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.tyrus.internal.Outbound;
import jakarta.websocket.CloseReason;
import org.glassfish.tyrus.core.cluster.SessionEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Standalone mode: writes what the cluster routed to this node through each session's Tyrus
 * {@link SessionEventListener} (the only way to write to a session of a Tyrus server we do not run),
 * through the session's bounded {@link Outbound} queue (a server's default bounds; what does not fit
 * is dropped and counted, as {@code OverflowPolicy.DROP_NEWEST}) and its {@link ListenerSocket}. A
 * close is written after what was queued before it.
 */
final class ListenerDelivery implements LocalDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerDelivery.class);

    private final LocalSessions locals;
    private final BoundNode node;
    private final AtomicBoolean warnedDrop = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();

    ListenerDelivery(LocalSessions locals, BoundNode node) {
        this.locals = locals;
        this.node = node;
    }

    /** @return writes dropped because a session's queue was full */
    long dropped() {
        return dropped.get();
    }

    @Override
    public void deliver(Collection<SessionId> sessions, Message message) {
        for (SessionId id : sessions) {
            LocalEntry entry = locals.get(id.value());
            Outbound queue = entry == null ? null : entry.queue;
            if (queue == null || queue.offer(message) == Outbound.Offer.QUEUED) {
                continue;
            }
            dropped.incrementAndGet();
            if (warnedDrop.compareAndSet(false, true)) {
                LOG.warn("Write queue of session {} is full or closed (bounds {} messages / {} bytes): dropping messages"
                        + " (further drops are counted, not logged)", id, TyrusClusterAdapter.STANDALONE_MAX_QUEUED_MESSAGES,
                        TyrusClusterAdapter.STANDALONE_MAX_QUEUED_BYTES);
            }
        }
    }

    @Override
    public void close(SessionId session, CloseCode code) {
        LocalEntry entry = locals.get(session.value());
        Outbound queue = entry == null ? null : entry.queue;
        SessionEventListener listener = entry == null ? null : entry.listener;
        if (queue == null || listener == null) {
            return;
        }
        CloseReason reason = new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()), code.reason());
        // after what was queued before it, as the session's last write
        queue.finish(() -> node.writeLater(() -> {
            try {
                listener.onClose(reason);
            } catch (IOException | RuntimeException e) {
                LOG.debug("Closing session {} failed: {}", session, e.toString());
            }
        }));
    }
}
