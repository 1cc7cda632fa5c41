package io.wscluster.examples.chat;

import io.wscluster.ClusterException;
import io.wscluster.ClusterSession;
import io.wscluster.JoinResult;
import io.wscluster.Message;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.annotation.Clustered;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * One chat connection: {@code ws://HOST:PORT/chat?user=USER}, speaking chat-protocol.md.
 *
 * <p>How it keeps the protocol's promises:
 * <ul>
 * <li><b>Replies in frame order.</b> Tyrus hands one connection's frames to this endpoint one at a
 * time, and each frame is handled to its end before the next: its reply goes into the connection's
 * outbound queue (through the cluster, addressed to this session) before the next frame is read.
 * Room messages for this connection go through the same queue, so nothing overtakes a reply that
 * was queued first.</li>
 * <li><b>Join and leave visibility.</b> {@code joined} is queued only after
 * {@link ClusterSession#join} completed, which the API defines as "visible on every node".</li>
 * <li><b>Per-sender order.</b> A connection's sends leave in frame order through the cluster, which
 * keeps the order of one sender at every receiver.</li>
 * <li><b>Rate limit.</b> Only a {@code send} or {@code direct} that passed validation (and, for
 * {@code send}, the membership check) takes a token ({@link ClusterSession#tryAcquire()}); the
 * server's rate-limit callback answers {@code rate_limited}.</li>
 * <li><b>History and resume.</b> With history on (the default), every room keeps one
 * ({@link ChatNode} configures it): the library numbers each room's messages and the history stamp
 * ({@link Frames#stamp}) writes {@code offset} and {@code epoch} into each {@code msg}, once per node.
 * A join hands {@code since}/{@code last} to {@link ClusterSession#join(String, io.wscluster.Replay)},
 * which queues the replayed {@code msg} frames to this connection before it completes, so
 * {@code joined} follows them. Replayed frames never pass the rate limiter: they take no token.</li>
 * <li><b>Size.</b> Tyrus counts a message's characters; the protocol counts UTF-8 bytes, so the
 * endpoint checks the byte length too and closes with 1009.</li>
 * </ul>
 */
@Clustered
public final class ChatEndpoint extends Endpoint {

    /** The endpoint's path: exactly {@code /chat}. */
    public static final String PATH = "/chat";

    private static final Logger LOG = LoggerFactory.getLogger(ChatEndpoint.class);

    private final int maxMessageBytes;

    private ChatEndpoint(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * The deployment of the endpoint with this node's message size limit.
     *
     * @param maxMessageBytes largest accepted message, in UTF-8 bytes
     * @return the endpoint config for {@code WsServerBuilder.endpoint}
     */
    static ServerEndpointConfig config(int maxMessageBytes) {
        return ServerEndpointConfig.Builder.create(ChatEndpoint.class, PATH)
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                        return endpointClass.cast(new ChatEndpoint(maxMessageBytes));
                    }
                })
                .build();
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        ClusterSession me = ClusterSession.of(session);
        String user = me.user().orElseThrow(() -> new IllegalStateException("the user resolver lets no anonymous session in"));
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> onText(session, me, user, text));
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data ->
                close(session, CloseReason.CloseCodes.CANNOT_ACCEPT, "binary frames are not supported"));
    }

    @Override
    public void onError(Session session, Throwable error) {
        LOG.debug("Chat session {} failed: {}", session.getId(), error.toString());
    }

    private void onText(Session session, ClusterSession me, String user, String text) {
        if (Message.utf8Length(text) > maxMessageBytes) {
            close(session, CloseReason.CloseCodes.TOO_BIG, "message larger than " + maxMessageBytes + " bytes");
            return;
        }
        Frames.Request request;
        try {
            request = Frames.parse(text);
        } catch (Frames.BadRequest e) {
            reply(me, Frames.error("bad_request", e.getMessage()));
            return;
        }
        try {
            handle(me, user, request);
        } catch (ClusterException | CompletionException e) {
            // The cluster could not do it (this node is draining, or another node did not answer in time).
            LOG.warn("Chat frame {} of session {} failed: {}", request.op(), me.id(), e.toString());
            reply(me, unavailable(request));
        }
    }

    private void handle(ClusterSession me, String user, Frames.Request request) {
        switch (request.op()) {
            case JOIN:
                // Without history (--history-size 0) this is a plain join: the result has no position.
                JoinResult joined = await(me.join(request.room(), request.replay()));
                reply(me, Frames.joined(request.room(), me.cluster().localNode().value(), joined.position(), joined.recovered()));
                break;
            case LEAVE:
                await(me.leave(request.room()));
                reply(me, Frames.left(request.room()));
                break;
            case WHO:
                reply(me, Frames.members(request.room(), Users.sortedByCodePoint(
                        me.cluster().registry().usersInRoom(request.room()))));
                break;
            case SEND:
                if (!isMember(me, request.room())) {
                    reply(me, Frames.error("not_member", "join room '" + request.room() + "' before sending to it"));
                } else if (me.tryAcquire()) {
                    routed(me, request, me.send(Target.room(request.room()), Message.text(Frames.msg(request.room(), user, request.body()))));
                }
                break;
            case DIRECT:
                if (me.tryAcquire()) {
                    routed(me, request, me.send(Target.user(request.to()), Message.text(Frames.direct(user, request.body()))));
                }
                break;
            default:
                throw new IllegalStateException("unhandled op " + request.op());
        }
    }

    /**
     * A send the cluster could not route (this node is out of the cluster, or is leaving it) is
     * answered {@code unavailable}, never dropped silently.
     */
    private static void routed(ClusterSession me, Frames.Request request, CompletionStage<?> sent) {
        sent.whenComplete((delivery, error) -> {
            if (error != null) {
                LOG.debug("Chat frame {} of session {} was not routed: {}", request.op(), me.id(), error.toString());
                reply(me, unavailable(request));
            }
        });
    }

    private static String unavailable(Frames.Request request) {
        return Frames.error("unavailable", "the cluster could not complete " + request.op().name().toLowerCase(java.util.Locale.ROOT)
                + "; try again");
    }

    /** Answers a frame that ran out of tokens; installed as the server's rate-limit callback. */
    static void rateLimited(ClusterSession me) {
        reply(me, Frames.error("rate_limited", "too many messages: the frame was dropped"));
    }

    private static boolean isMember(ClusterSession me, String room) {
        // A local lookup: the registry answers for this node's own sessions without a network call.
        Optional<SessionInfo> info = me.cluster().registry().session(me.id());
        return info.isPresent() && info.get().rooms().contains(room);
    }

    private static void reply(ClusterSession me, String frame) {
        me.send(Target.session(me.id()), Message.text(frame));
    }

    private static <T> T await(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private static void close(Session session, CloseReason.CloseCode code, String reason) {
        try {
            session.close(new CloseReason(code, reason));
        } catch (IOException e) {
            LOG.debug("Closing chat session {} failed: {}", session.getId(), e.toString());
        }
    }

}
