package io.wscluster.hazelcast.internal;

import com.hazelcast.topic.ITopic;
import io.wscluster.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The link between this node and the others: one topic per node as its inbox, and requests that
 * wait for a reply.
 *
 * <p>Design notes. Each node listens on its own topic {@code wsc.n.<id>}; a message for a node is
 * published to that node's topic and nowhere else. A topic is FIFO per publishing member, so
 * messages from one sending thread keep their order at the receiver. Inbound messages are decoded
 * and handled on the node's one inbound thread, off Hazelcast's event threads, in arrival order;
 * replies complete the request they answer ({@link PendingRequests}), everything else goes to the
 * handler given to {@link #listen}. A request to a node that is not live answers 0 at once, and a
 * reply is sent only to a live node, so no thread waits on a node known to be gone. Every message
 * is sealed for the inbox it is sent to ({@link Seal}); one that does not verify is dropped and
 * counted before it is decoded, so no message kind can skip the check.
 */
final class NodeLink {

    private static final Logger LOG = LoggerFactory.getLogger(NodeLink.class);
    static final String INBOX_PREFIX = "wsc.n.";

    private final NodeContext context;
    private final LiveNodes live;
    private final PendingRequests outstanding;
    private final Map<NodeId, ITopic<byte[]>> inboxes = new ConcurrentHashMap<>();

    NodeLink(NodeContext context, LiveNodes live) {
        this.context = context;
        this.live = live;
        this.outstanding = new PendingRequests(context.settings.requestTimeout());
    }

    /**
     * Subscribes to this node's inbox.
     *
     * @param handler gets every inbound envelope but replies, on the inbound thread
     * @return what unsubscribes
     */
    Runnable listen(Consumer<Envelope> handler) {
        ITopic<byte[]> inbox = inbox(context.id);
        UUID inboxListener = inbox.addMessageListener(m -> onInbound(m.getMessageObject(), handler));
        return () -> inbox.removeMessageListener(inboxListener);
    }

    /**
     * Sends a request and returns the number the other node replies.
     *
     * @param node    the node
     * @param what    the request in words, for error messages
     * @param encoder builds the envelope for a correlation id
     * @return the reply; 0 if the node is or goes away before replying
     */
    CompletableFuture<Integer> request(NodeId node, String what, LongFunction<byte[]> encoder) {
        return outstanding.send(node, what, encoder, this::publishTo, live.isLive(node));
    }

    /** Answers a request, if it asked for an answer and its sender is live. */
    void reply(NodeId to, long correlation, int result) {
        if (to != null && correlation != 0 && live.isLive(to)) {
            publishTo(to, Envelope.encodeReply(correlation, result));
        }
    }

    /** Publishes an envelope to a node's inbox. */
    void publishTo(NodeId node, byte[] envelope) {
        inbox(node).publish(context.seal.seal(INBOX_PREFIX + node.value(), envelope));
        context.counters.envelopesOut.increment();
        context.counters.bytesOut.add(envelope.length);
    }

    /**
     * A node is gone: its requests answer 0 and this node drops its proxy of the node's inbox. The
     * topic itself is not destroyed: a destroy is cluster-wide and removes every listener of the
     * topic, so a node wrongly thought gone (one side of a split, a stalled node that comes back)
     * would stop receiving for good.
     */
    void forget(NodeId node) {
        if (node.equals(context.id)) {
            return;
        }
        outstanding.nodeGone(node);
        inboxes.remove(node);
    }

    /** This node stops: every request still waiting fails. */
    void failAll() {
        outstanding.failAll(context.id);
    }

    /** @return requests that got no answer in time */
    long timedOut() {
        return outstanding.timedOut();
    }

    private void onInbound(byte[] bytes, Consumer<Envelope> handler) {
        try {
            context.inbound.execute(() -> handle(bytes, handler));
        } catch (RejectedExecutionException e) {
            LOG.debug("inbound message dropped: node {} is closing", context.id);
        }
    }

    private void handle(byte[] sealed, Consumer<Envelope> handler) {
        context.counters.envelopesIn.increment();
        context.counters.bytesIn.add(sealed.length);
        byte[] bytes = context.seal.open(INBOX_PREFIX + context.id.value(), sealed, context.id);
        if (bytes == null) {
            return;
        }
        Envelope envelope;
        try {
            envelope = Envelope.decode(bytes);
        } catch (RuntimeException e) {
            LOG.warn("node {} dropped an undecodable inbound message of {} bytes: {}", context.id, bytes.length, e.getMessage());
            return;
        }
        if (envelope.kind() == Envelope.Kind.REPLY) {
            outstanding.complete(envelope.correlation(), envelope.result());
        } else {
            handler.accept(envelope);
        }
    }

    private ITopic<byte[]> inbox(NodeId node) {
        return inboxes.computeIfAbsent(node, n -> context.hazelcast.getTopic(INBOX_PREFIX + n.value()));
    }
}
