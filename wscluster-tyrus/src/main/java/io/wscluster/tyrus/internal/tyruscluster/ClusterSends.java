package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.CloseCode;
import io.wscluster.ClusterException;
import io.wscluster.Delivery;
import io.wscluster.Message;
import io.wscluster.SessionId;
import io.wscluster.Target;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the context sends through the cluster: messages to a session anywhere, broadcasts to an
 * endpoint path, and closes.
 *
 * <p>Design notes. A send to a session is a {@code Target.session} message, routed to its owner in
 * one hop (the session id is a wscluster id); a partial message is reassembled here
 * ({@link PartialMessages}) and sent whole. The returned future completes when the owner queued the
 * message for its socket, or fails with an {@link IOException} if the session is not open; its
 * callbacks run on the context's callback pool, never a cluster thread. Per-session order is the
 * messenger's per-sender order. A broadcast is a {@code Target.endpoint(path)} message: every node,
 * this one included, writes it once to each of its sessions on the path through the same queues as
 * other messages, rather than through Tyrus's unbounded local broadcast.
 */
final class ClusterSends {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterSends.class);

    private final BoundNode node;
    private final PartialMessages partials;
    private final AtomicBoolean warnedPing = new AtomicBoolean();

    ClusterSends(BoundNode node, PartialMessages partials) {
        this.node = node;
        this.partials = partials;
    }

    /** @see TyrusClusterAdapter#send(String, Message) */
    CompletableFuture<Void> send(String sessionId, Message message) {
        SessionId id = BoundNode.parse(sessionId);
        if (id == null) {
            return CompletableFuture.failedFuture(new IOException("'" + sessionId + "' is not a wscluster session id"));
        }
        if (!node.isActive()) {
            return CompletableFuture.failedFuture(new IOException(node.inactiveMessage()));
        }
        String what = "send to session '" + id + "'";
        CompletionStage<Delivery> stage;
        try {
            stage = node.cluster().messenger().send(Target.session(id), message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(io(what, e));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        stage.whenCompleteAsync((delivery, error) -> {
            if (error != null) {
                result.completeExceptionally(io(what, error));
            } else if (!delivery.reachedAnyone()) {
                result.completeExceptionally(new IOException("Session '" + id + "' is not open"));
            } else {
                result.complete(null);
            }
        }, node::runCallback);
        return result;
    }

    /** @see TyrusClusterAdapter#sendPartialText */
    CompletableFuture<Void> sendPartialText(String sessionId, String text, boolean last) {
        try {
            String whole = partials.text(sessionId, text, last);
            return whole == null ? CompletableFuture.completedFuture(null) : send(sessionId, Message.text(whole));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** @see TyrusClusterAdapter#sendPartialBinary */
    CompletableFuture<Void> sendPartialBinary(String sessionId, byte[] data, boolean last) {
        try {
            byte[] whole = partials.binary(sessionId, data, last);
            return whole == null ? CompletableFuture.completedFuture(null) : send(sessionId, Message.wrapBinary(whole));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** @see TyrusClusterAdapter#send(String, Message, SendHandler) */
    void send(String sessionId, Message message, SendHandler handler) {
        send(sessionId, message).whenComplete((v, error) -> {
            try {
                // the context never sees the RemoteSession the handler was given to: the result names no session
                handler.onResult(error == null ? new SendResult((Session) null) : new SendResult(null, unwrap(error)));
            } catch (RuntimeException e) {
                LOG.warn("SendHandler for session {} failed", sessionId, e);
            }
        });
    }

    /** @see TyrusClusterAdapter#controlFrame */
    CompletableFuture<Void> controlFrame(String sessionId, String kind) {
        if (warnedPing.compareAndSet(false, true)) {
            LOG.debug("A {} to remote session {} was ignored: the wscluster API carries no ping or pong frames"
                    + " between nodes (further ones are ignored silently)", kind, sessionId);
        }
        return CompletableFuture.completedFuture(null);
    }

    /** @see TyrusClusterAdapter#broadcast */
    void broadcast(String endpointPath, Message message) {
        try {
            node.cluster().messenger().send(Target.endpoint(endpointPath), message).whenComplete((d, e) -> {
                if (e != null) {
                    LOG.warn("Broadcast to {} failed: {}", endpointPath, e.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Broadcast to {} failed: {}", endpointPath, e.toString());
        }
    }

    /** @see TyrusClusterAdapter#close */
    CompletableFuture<Void> close(String sessionId, CloseReason reason) {
        SessionId id = BoundNode.parse(sessionId);
        if (id == null) {
            return CompletableFuture.failedFuture(new IOException("'" + sessionId + "' is not a wscluster session id"));
        }
        if (!node.isActive()) {
            return CompletableFuture.failedFuture(new IOException(node.inactiveMessage()));
        }
        String what = "close of session '" + id + "'";
        CompletionStage<Boolean> stage;
        try {
            stage = node.cluster().disconnect(id, closeCode(reason));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(io(what, e));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        stage.whenCompleteAsync((wasOpen, error) -> {
            if (error != null) {
                result.completeExceptionally(io(what, error));
            } else {
                result.complete(null);
            }
        }, node::runCallback);
        return result;
    }

    /**
     * Maps a Jakarta close reason onto a wscluster close code: codes the protocol reserves for itself
     * (1005, 1006, 1015, 1004) or out of range become 1000; the reason is cut to 123 bytes of UTF-8.
     *
     * @param reason the reason, or null
     * @return the code
     */
    static CloseCode closeCode(CloseReason reason) {
        if (reason == null) {
            return new CloseCode(CloseCode.NORMAL, "");
        }
        String phrase = truncateUtf8(reason.getReasonPhrase() == null ? "" : reason.getReasonPhrase(), 123);
        int code = reason.getCloseCode().getCode();
        try {
            return new CloseCode(code, phrase);
        } catch (IllegalArgumentException e) {
            return new CloseCode(CloseCode.NORMAL, phrase);
        }
    }

    static String truncateUtf8(String s, int maxBytes) {
        if (s.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return s;
        }
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder();
        ByteBuffer out = ByteBuffer.allocate(maxBytes);
        CharBuffer in = CharBuffer.wrap(s);
        encoder.encode(in, out, true);
        return s.substring(0, in.position());
    }

    private static IOException io(String what, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof IOException io) {
            return io;
        }
        return new IOException(what + " failed: " + (cause instanceof ClusterException ? cause.getMessage() : cause.toString()), cause);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
