package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.SessionId;
import io.wscluster.tyrus.internal.Outbound;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.glassfish.tyrus.core.cluster.SessionEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Standalone mode: the socket of a session's {@link Outbound} queue, writing through the session's
 * Tyrus {@link SessionEventListener} (whose sends block) on the context's writers, and reporting
 * each write to the queue when it is done. The queue keeps one write in flight per session, so a
 * session's writes stay in order and a slow one holds at most one writer thread.
 */
final class ListenerSocket implements Outbound.Socket {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerSocket.class);

    private final SessionId id;
    private final SessionEventListener listener;
    private final BoundNode node;

    ListenerSocket(SessionId id, SessionEventListener listener, BoundNode node) {
        this.id = id;
        this.listener = listener;
        this.node = node;
    }

    @Override
    public void sendText(String text, SendHandler done) {
        write(() -> listener.onSendText(text), done);
    }

    @Override
    public void sendBinary(ByteBuffer data, SendHandler done) {
        byte[] bytes;
        if (data.hasArray() && data.arrayOffset() == 0 && data.position() == 0 && data.remaining() == data.array().length) {
            bytes = data.array(); // the queue wraps the message's own bytes: no copy
        } else {
            bytes = new byte[data.remaining()];
            data.get(bytes);
        }
        write(() -> listener.onSendBinary(bytes), done);
    }

    private void write(Write write, SendHandler done) {
        boolean scheduled = node.writeLater(() -> {
            try {
                write.run();
            } catch (IOException | RuntimeException e) {
                LOG.debug("Write to session {} failed: {}", id, e.toString());
                done.onResult(new SendResult(null, e));
                return;
            }
            done.onResult(new SendResult((Session) null));
        });
        if (!scheduled) {
            done.onResult(new SendResult(null, new IOException("TyrusClusterContext is shutting down")));
        }
    }

    /** A blocking write to the listener. */
    @FunctionalInterface
    private interface Write {
        void run() throws IOException;
    }
}
