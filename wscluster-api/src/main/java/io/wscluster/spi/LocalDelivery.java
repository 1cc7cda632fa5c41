package io.wscluster.spi;

import io.wscluster.CloseCode;
import io.wscluster.Message;
import io.wscluster.SessionId;

import java.util.Collection;

/**
 * Implemented by a WebSocket server: writes what the cluster routed to this node onto local sockets.
 *
 * <p>Calls come from wscluster threads that fan out to many sessions: an implementation must not
 * block. It queues the message per session and writes asynchronously, applying its own policy to
 * a session whose queue is full. Calls for one session come in the order the cluster received the
 * messages.
 *
 * @since 0.1.0
 */
public interface LocalDelivery {

    /**
     * Writes one message to several local sessions. The same {@link Message} instance goes to all of
     * them, so the frame can be encoded once.
     *
     * @param sessions local sessions, each registered through {@link SessionHost#open}
     * @param message  the message
     */
    void deliver(Collection<SessionId> sessions, Message message);

    /**
     * Closes a local session's socket with a close code (a kick from any node).
     *
     * @param session the local session
     * @param code    the code and reason to send
     */
    void close(SessionId session, CloseCode code);
}
