package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.CloseCode;
import io.wscluster.Message;
import io.wscluster.SessionId;
import io.wscluster.spi.LocalDelivery;
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
 * serially per session, on the context's writers.
 */
final class ListenerDelivery implements LocalDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerDelivery.class);

    private final LocalSessions locals;
    private final AtomicBoolean warnedDrop = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();

    ListenerDelivery(LocalSessions locals) {
        this.locals = locals;
    }

    /** @return writes dropped because a session's queue was full */
    long dropped() {
        return dropped.get();
    }

    @Override
    public void deliver(Collection<SessionId> sessions, Message message) {
        for (SessionId id : sessions) {
            LocalEntry entry = locals.get(id.value());
            SerialQueue queue = entry == null ? null : entry.queue;
            SessionEventListener listener = entry == null ? null : entry.listener;
            if (queue == null || listener == null) {
                continue;
            }
            if (!queue.offer(() -> write(id, listener, message))) {
                dropped.incrementAndGet();
                if (warnedDrop.compareAndSet(false, true)) {
                    LOG.warn("Write queue of session {} is full ({} messages): dropping messages (further drops"
                            + " are counted, not logged)", id, TyrusClusterAdapter.STANDALONE_MAX_QUEUED);
                }
            }
        }
    }

    @Override
    public void close(SessionId session, CloseCode code) {
        LocalEntry entry = locals.get(session.value());
        SerialQueue queue = entry == null ? null : entry.queue;
        SessionEventListener listener = entry == null ? null : entry.listener;
        if (queue == null || listener == null) {
            return;
        }
        CloseReason reason = new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()), code.reason());
        queue.offerAlways(() -> {
            try {
                listener.onClose(reason);
            } catch (IOException | RuntimeException e) {
                LOG.debug("Closing session {} failed: {}", session, e.toString());
            }
        });
    }

    private static void write(SessionId id, SessionEventListener listener, Message message) {
        try {
            if (message.isText()) {
                listener.onSendText(message.text());
            } else {
                listener.onSendBinary(message.payloadBytes());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Write to session {} failed: {}", id, e.toString());
        }
    }
}
