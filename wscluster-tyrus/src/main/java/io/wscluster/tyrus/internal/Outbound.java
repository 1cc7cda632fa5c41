package io.wscluster.tyrus.internal;

import io.wscluster.Message;
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
 * {@link #attach} gives it the socket. The socket is a {@link Socket}: a {@link SessionSocket} for a
 * session of the server, or the Tyrus cluster SPI adapter's writer for a session of a Tyrus server it
 * does not run (standalone), which also uses {@link #finish} to close a session after what was queued.
 * The queue holds {@link Outgoing}s: a delivery to many sessions of this node offers the same one to
 * each, so a {@link SessionSocket} that takes ready frames writes the frame built once for all of
 * them; its completion comes back through {@link #onResult} like any other send's, so order, bounds
 * and overflow handling do not depend on which way a message left.
 * Public only for that adapter's package; not API.
 */
public final class Outbound implements SendHandler {

    /** What {@link #offer} did. */
    public enum Offer {
        /** Queued (or sending). */
        QUEUED,
        /** Refused: the queue is at its bound. */
        FULL,
        /** Refused: the queue is closed or finishing. */
        CLOSED
    }

    /** Where a queue writes: one asynchronous send at a time, its completion reported to the handler. */
    public interface Socket {
        /**
         * @param text the text
         * @param done told once the send completed or failed
         */
        void sendText(String text, SendHandler done);

        /**
         * @param data the bytes
         * @param done told once the send completed or failed
         */
        void sendBinary(ByteBuffer data, SendHandler done);
    }

    /**
     * The queue at the moment it refused a message.
     *
     * @param messages     messages queued (the one in flight not counted)
     * @param bytes        bytes queued
     * @param messageBytes size of the refused message
     */
    record Backlog(int messages, long bytes, int messageBytes) {
    }

    private Socket remote;
    private final int maxMessages;
    private final long maxBytes;
    private final Counters counters;

    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean sending;
    private boolean inSendCall;
    private boolean completedInCall;
    private boolean closed;
    private Runnable finishing;
    private Backlog lastRefusal;

    /**
     * @param socket      the socket to write to, or null until {@link #attach}
     * @param maxMessages most messages waiting behind the one in flight
     * @param maxBytes    most bytes waiting behind the one in flight (see the class notes)
     * @param counters    where queued, sent and dropped messages are counted
     */
    public Outbound(Socket socket, int maxMessages, long maxBytes, Counters counters) {
        this.remote = socket;
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
    public Offer offer(Message message) {
        return offer(new Outgoing(message));
    }

    /**
     * Queues a message that may be offered to other queues too, and starts sending if idle.
     *
     * @param outgoing the message, shared by the receivers of one delivery
     * @return whether it was queued
     */
    Offer offer(Outgoing outgoing) {
        int bytes = outgoing.message().size();
        synchronized (this) {
            if (closed || finishing != null) {
                return Offer.CLOSED;
            }
            if (queue.size() >= maxMessages || (!queue.isEmpty() && queuedBytes + bytes > maxBytes)) {
                lastRefusal = new Backlog(queue.size(), queuedBytes, bytes);
                return Offer.FULL;
            }
            queue.add(outgoing);
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
     * @param remote the session's socket
     * @throws IllegalStateException if the queue already has one
     */
    void attach(Socket remote) {
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

    /**
     * Refuses further messages and runs {@code last} once what is queued was sent: at once on this
     * thread if nothing is queued or in flight, else on the thread that completes the last send. Not
     * run if the queue is closed first. Only the first call counts.
     *
     * @param last what to run after the last message, such as the session's close
     */
    public void finish(Runnable last) {
        synchronized (this) {
            if (closed || finishing != null) {
                return;
            }
            finishing = last;
            if (sending || (remote == null && !queue.isEmpty())) {
                return; // the pump runs it when the queue is empty
            }
            finishing = null;
            closed = true;
        }
        last.run();
    }

    /** Drops everything queued and refuses further messages. Idempotent. */
    public void close() {
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

    /** @return messages queued behind the one in flight */
    public synchronized int size() {
        return queue.size();
    }

    /** @return the queue when it last refused a message, or null if it never did */
    synchronized Backlog lastRefusal() {
        return lastRefusal;
    }

    /** Sends queued messages one at a time; called by the thread that set {@code sending}. */
    private void pump() {
        while (true) {
            Outgoing next;
            Socket remote;
            Runnable last = null;
            synchronized (this) {
                remote = this.remote;
                next = closed ? null : queue.poll();
                if (next == null) {
                    sending = false;
                    if (finishing != null && !closed) {
                        last = finishing;
                        closed = true;
                    }
                    finishing = null;
                } else {
                    queuedBytes -= next.message().size();
                    counters.queued.decrement();
                    inSendCall = true;
                    completedInCall = false;
                }
            }
            if (next == null) {
                if (last != null) {
                    last.run();
                }
                return;
            }
            boolean failed = false;
            try {
                if (remote instanceof SessionSocket session) {
                    session.send(next, this);
                } else {
                    sendMessage(remote, next.message(), this);
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

    /** Sends a message the ordinary way: Tyrus frames it for this one socket. */
    static void sendMessage(Socket socket, Message message, SendHandler done) {
        if (message.isText()) {
            socket.sendText(message.text(), done);
        } else {
            socket.sendBinary(ByteBuffer.wrap(message.payloadBytes()), done);
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
