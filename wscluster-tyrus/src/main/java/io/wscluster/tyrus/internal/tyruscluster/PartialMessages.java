package io.wscluster.tyrus.internal.tyruscluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Reassembles partial messages sent to remote sessions ({@code sendText(text, isLast)},
 * {@code getSendStream()}, {@code getSendWriter()}), since the wscluster API carries whole messages
 * only.
 *
 * <p>Parts are collected on the sending node, per target session and kind, and the last part sends
 * the whole message: the client receives the same message, in one frame instead of several. A
 * reassembly that grows past the limit is dropped and its part fails. Buffers of a session that
 * closes, or that nobody finished for a while, are dropped ({@link #forget}, {@link #expire}).
 */
final class PartialMessages {

    private final long maxSize;
    private final ConcurrentMap<String, Buffer> texts = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Buffer> binaries = new ConcurrentHashMap<>();

    /** @param maxSize most characters (text) or bytes (binary) one reassembled message may hold */
    PartialMessages(long maxSize) {
        this.maxSize = maxSize;
    }

    /**
     * Adds a text part.
     *
     * @param sessionId the target session
     * @param part      the part (null counts as empty)
     * @param last      whether it is the last part
     * @return the whole message if {@code last}, else null
     * @throws IOException if the message grew past the limit (the parts so far are dropped)
     */
    String text(String sessionId, String part, boolean last) throws IOException {
        String piece = part == null ? "" : part;
        Buffer buffer = last ? texts.remove(sessionId) : texts.computeIfAbsent(sessionId, k -> new Buffer());
        if (buffer == null) {
            return piece;
        }
        synchronized (buffer) {
            buffer.touched = System.nanoTime();
            if (buffer.text.length() + (long) piece.length() > maxSize) {
                texts.remove(sessionId, buffer);
                throw tooBig(sessionId);
            }
            buffer.text.append(piece);
            return last ? buffer.text.toString() : null;
        }
    }

    /**
     * Adds a binary part.
     *
     * @param sessionId the target session
     * @param part      the part (null counts as empty)
     * @param last      whether it is the last part
     * @return the whole message if {@code last}, else null
     * @throws IOException if the message grew past the limit (the parts so far are dropped)
     */
    byte[] binary(String sessionId, byte[] part, boolean last) throws IOException {
        byte[] piece = part == null ? new byte[0] : part;
        Buffer buffer = last ? binaries.remove(sessionId) : binaries.computeIfAbsent(sessionId, k -> new Buffer());
        if (buffer == null) {
            return piece;
        }
        synchronized (buffer) {
            buffer.touched = System.nanoTime();
            if (buffer.bytes.size() + (long) piece.length > maxSize) {
                binaries.remove(sessionId, buffer);
                throw tooBig(sessionId);
            }
            buffer.bytes.write(piece, 0, piece.length);
            return last ? buffer.bytes.toByteArray() : null;
        }
    }

    /** @param sessionId a session that closed; drops its unfinished messages */
    void forget(String sessionId) {
        texts.remove(sessionId);
        binaries.remove(sessionId);
    }

    /** Drops unfinished messages untouched for longer than {@code maxIdleNanos}. */
    void expire(long maxIdleNanos) {
        long now = System.nanoTime();
        texts.values().removeIf(b -> now - b.touched > maxIdleNanos);
        binaries.values().removeIf(b -> now - b.touched > maxIdleNanos);
    }

    /** Drops everything. */
    void clear() {
        texts.clear();
        binaries.clear();
    }

    private IOException tooBig(String sessionId) {
        return new IOException("Partial message to session '" + sessionId + "' exceeds " + maxSize
                + " characters or bytes; its parts were dropped");
    }

    private static final class Buffer {
        final StringBuilder text = new StringBuilder();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        volatile long touched = System.nanoTime();
    }
}
