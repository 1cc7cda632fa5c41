package io.wscluster.tyrus.internal;

import io.wscluster.Message;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The outbound queue of one session.
 *
 * <p>Design notes. Fan-out threads call {@link #offer} and never block: the message is appended
 * under this object's monitor and, if no send is in flight, the caller starts one. At most one
 * asynchronous send is in flight per session, so frames leave in queue order and the transport
 * holds at most one message of ours per session; the queue itself is bounded in messages and in
 * bytes (UTF-8 length for text), so memory per slow consumer is bounded. The byte bound limits what
 * waits behind the send in flight, not one message alone: an empty queue takes any message, so a
 * message larger than the bound is still delivered to a reader that keeps up (what waits is at
 * most the larger of the bound and one message, plus the one in flight). When a send completes,
 * its completion thread starts the next one. A completion that arrives while the starting thread
 * is still inside the send call (Tyrus may complete inline) only sets a flag; the starting thread
 * then loops, so the stack never grows with the queue. A queue made before its socket (a session
 * registered during the handshake) holds what arrives, within the same bounds, until
 * {@link #attach} gives it the socket.
 */
final class Outbound implements SendHandler {

    /** What {@link #offer} did. */
    enum Offer { QUEUED, FULL, CLOSED }

    /**
     * The queue at the moment it refused a message.
     *
     * @param messages     messages queued (the one in flight not counted)
     * @param bytes        bytes queued
     * @param messageBytes size of the refused message
     */
    record Backlog(int messages, long bytes, int messageBytes) {
    }

    private RemoteEndpoint.Async remote;
    private final int maxMessages;
    private final long maxBytes;
    private final Counters counters;

    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean sending;
    private boolean inSendCall;
    private boolean completedInCall;
    private boolean closed;
    private Backlog lastRefusal;

    /**
     * @param remote the socket to write to, or null until {@link #attach}
     */
    Outbound(RemoteEndpoint.Async remote, int maxMessages, long maxBytes, Counters counters) {
        this.remote = remote;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.counters = counters;
    }

    /**
     * Queues a message and starts sending if idle.
     *
     * @param message the message (its {@link Message#size()} is computed once, not per receiver)
     * @return whether it was queued
     */
    Offer offer(Message message) {
        int bytes = message.size();
        synchronized (this) {
            if (closed) {
                return Offer.CLOSED;
            }
            if (queue.size() >= maxMessages || (!queue.isEmpty() && queuedBytes + bytes > maxBytes)) {
                lastRefusal = new Backlog(queue.size(), queuedBytes, bytes);
                return Offer.FULL;
            }
            queue.add(message);
            queuedBytes += bytes;
            counters.queued.increment();
            if (sending || remote == null) {
                return Offer.QUEUED;
            }
            sending = true;
        }
        pump();
        return Offer.QUEUED;
    }

    /**
     * Gives a queue made without a socket its socket, and sends what it holds.
     *
     * @param remote the session's asynchronous remote
     * @throws IllegalStateException if the queue already has one
     */
    void attach(RemoteEndpoint.Async remote) {
        synchronized (this) {
            if (this.remote != null) {
                throw new IllegalStateException("outbound queue already has a socket");
            }
            this.remote = remote;
            if (sending || queue.isEmpty() || closed) {
                return;
            }
            sending = true;
        }
        pump();
    }

    /** Drops everything queued and refuses further messages. Idempotent. */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            counters.queued.add(-queue.size());
            counters.dropped.add(queue.size());
            queue.clear();
            queuedBytes = 0;
        }
    }

    synchronized int size() {
        return queue.size();
    }

    /** @return the queue when it last refused a message, or null if it never did */
    synchronized Backlog lastRefusal() {
        return lastRefusal;
    }

    /** Sends queued messages one at a time; called by the thread that set {@code sending}. */
    private void pump() {
        while (true) {
            Message next;
            RemoteEndpoint.Async remote;
            synchronized (this) {
                remote = this.remote;
                next = queue.poll();
                if (next == null || closed) {
                    sending = false;
                    return;
                }
                queuedBytes -= next.size();
                counters.queued.decrement();
                inSendCall = true;
                completedInCall = false;
            }
            boolean failed = false;
            try {
                if (next.isText()) {
                    remote.sendText(next.text(), this);
                } else {
                    remote.sendBinary(ByteBuffer.wrap(next.payloadBytes()), this);
                }
            } catch (RuntimeException | Error e) {
                // Tyrus throws java.lang.Error for text it cannot encode; one bad message must not
                // leave this queue marked "sending" forever
                failed = true;
            }
            synchronized (this) {
                inSendCall = false;
                if (failed) {
                    sending = false;
                    counters.dropped.increment();
                    close();
                    return;
                }
                if (!completedInCall) {
                    return; // the completion thread continues
                }
            }
        }
    }

    @Override
    public void onResult(SendResult result) {
        synchronized (this) {
            if (result.isOK()) {
                counters.sent.increment();
            } else {
                counters.dropped.increment();
                close();
            }
            if (inSendCall) {
                completedInCall = true;
                return;
            }
        }
        pump();
    }
}
