package io.wscluster.tyrus.internal;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.glassfish.tyrus.core.TyrusFuture;
import org.glassfish.tyrus.core.TyrusRemoteEndpoint;
import org.glassfish.tyrus.core.TyrusWebSocket;
import org.glassfish.tyrus.core.frame.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * The socket of a session of this server: writes a frame built once per delivery ({@link Outgoing})
 * where that is exactly what Tyrus would have written, else the message through the session's
 * asynchronous remote as before.
 *
 * <p>Design notes. Tyrus 2.2.2 has one public way to write ready frame bytes to a session,
 * {@code TyrusWebSocket.sendRawFrame}, which its own {@code TyrusEndpointWrapper.broadcast} uses for
 * the same purpose. It takes the protocol handler's send lock and waits out a partial message like
 * {@code sendText}, refuses a closed socket the same way, and hands the bytes to the same connection
 * writer, so raw and ordinary frames keep their order. Its {@code Future} is a {@code TyrusFuture},
 * a {@link CompletableFuture} completed by the writer's completion handler exactly where
 * {@code sendText}'s {@link SendHandler} is told; a callback on it is the completion signal
 * {@link Outbound} needs for its one send in flight (it may run inline, which {@link Outbound}
 * already handles). A session's {@code TyrusWebSocket} has no public getter: it is read once per
 * session from its asynchronous remote's package-private field. Where that read is not allowed (on
 * the module path Tyrus's module does not open {@code org.glassfish.tyrus.core}; open it to
 * {@code io.wscluster.tyrus} to get shared frames there) or the remote is not Tyrus's, every message
 * goes through {@code sendText}/{@code sendBinary}, as before.
 *
 * <p>A session takes the shared frame only while nothing would make its frame differ from Tyrus's own
 * or skip Tyrus's per-send work: no negotiated extension (permessage-deflate rewrites the payload
 * per session; checked once, extensions are fixed at the handshake), and no idle timeout (Tyrus's
 * {@code sendText} re-arms the session's idle timer; the server sets -1 when none is configured,
 * checked per message as an application may change it). What is skipped: Tyrus's monitoring
 * listener is not told of these frames (the server enables no Tyrus monitoring).
 */
final class SessionSocket implements Outbound.Socket {

    private static final Logger LOG = LoggerFactory.getLogger(SessionSocket.class);
    /** {@code TyrusRemoteEndpoint.webSocket}, or null where it cannot be read. */
    private static final VarHandle WEB_SOCKET = webSocketField();

    private final Session session;
    private final RemoteEndpoint.Async remote;
    private final TyrusWebSocket socket;
    private final SendResult ok;

    private SessionSocket(Session session, RemoteEndpoint.Async remote, TyrusWebSocket socket) {
        this.session = session;
        this.remote = remote;
        this.socket = socket;
        this.ok = socket == null ? null : new SendResult(session);
    }

    /**
     * @param session an open session of this server
     * @return its socket; one that takes shared frames where the session allows them
     */
    static SessionSocket of(Session session) {
        RemoteEndpoint.Async remote = session.getAsyncRemote();
        TyrusWebSocket socket = null;
        if (WEB_SOCKET != null && remote instanceof TyrusRemoteEndpoint && session.getNegotiatedExtensions().isEmpty()) {
            socket = (TyrusWebSocket) WEB_SOCKET.get((TyrusRemoteEndpoint) remote);
        }
        return new SessionSocket(session, remote, socket);
    }

    /** @return whether this session is written shared frames (while it has no idle timeout) */
    boolean takesFrames() {
        return socket != null;
    }

    @Override
    public void sendText(String text, SendHandler done) {
        remote.sendText(text, done);
    }

    @Override
    public void sendBinary(ByteBuffer data, SendHandler done) {
        remote.sendBinary(data, done);
    }

    /**
     * Writes the message's shared frame if this session takes it, else sends the message.
     *
     * @param message the message and its frame
     * @param done    told once the write completed or failed
     */
    void send(Outgoing message, SendHandler done) {
        if (socket == null || session.getMaxIdleTimeout() >= 0) {
            Outbound.sendMessage(this, message.message(), done);
            return;
        }
        Future<Frame> sent = socket.sendRawFrame(message.frame());
        if (sent instanceof CompletableFuture<Frame> completion) {
            completion.whenComplete((frame, failure) -> done.onResult(failure == null ? ok : new SendResult(session, failure)));
        } else {
            done.onResult(ok); // not reached: WEB_SOCKET is only set where the future is a TyrusFuture
        }
    }

    private static VarHandle webSocketField() {
        if (!CompletableFuture.class.isAssignableFrom(TyrusFuture.class)) {
            LOG.debug("Tyrus's send futures take no callback here; every session is sent its own frames");
            return null;
        }
        try {
            return MethodHandles.privateLookupIn(TyrusRemoteEndpoint.class, MethodHandles.lookup())
                    .findVarHandle(TyrusRemoteEndpoint.class, "webSocket", TyrusWebSocket.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("Tyrus's session sockets cannot be read ({}); every session is sent its own frames", e.toString());
            return null;
        }
    }
}
