package io.wscluster.tyrus.internal;

import io.wscluster.Message;

import java.nio.ByteBuffer;

/**
 * One message on its way to the local receivers of one delivery, with its WebSocket frame built at
 * most once for all of them.
 *
 * <p>Design notes. A room message delivered to N sessions of this node used to be UTF-8-encoded and
 * framed N times (Tyrus's {@code TextFrame} per {@code sendText}). {@link ClusteredSessions#deliver}
 * now wraps the message once per delivery and offers this same object to every receiver's
 * {@link Outbound} queue; the first queue whose socket can take a ready frame ({@link SessionSocket})
 * builds it, and every later one writes a {@link ByteBuffer#duplicate() duplicate} of the same bytes,
 * so positions are per write and the bytes themselves are never written to after they are built.
 * Building is a benign race: two threads may both build it, both results are equal and one wins.
 * The frame is a final, unfragmented, unmasked server frame (RFC 6455 5.2): FIN and the opcode, then the
 * payload length in 7 bits, or 126 and 16 bits, or 127 and 64 bits, then the payload. Sessions for
 * which such a frame is not what Tyrus would write (a negotiated extension) never ask for it.
 */
final class Outgoing {

    private static final int FIN = 0x80;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;

    private final Message message;
    private volatile ByteBuffer frame;

    Outgoing(Message message) {
        this.message = message;
    }

    Message message() {
        return message;
    }

    /** @return a fresh view (own position and limit) of this message's frame, built on the first call */
    ByteBuffer frame() {
        ByteBuffer built = frame;
        if (built == null) {
            built = build(message);
            frame = built;
        }
        return built.duplicate();
    }

    /**
     * @param message a text or binary message
     * @return its whole frame
     */
    static ByteBuffer build(Message message) {
        byte[] payload = message.payloadBytes();
        int length = payload.length;
        int header = length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
        byte[] bytes = new byte[header + length];
        bytes[0] = (byte) (FIN | (message.isText() ? TEXT : BINARY));
        if (header == 2) {
            bytes[1] = (byte) length;
        } else if (header == 4) {
            bytes[1] = 126;
            bytes[2] = (byte) (length >>> 8);
            bytes[3] = (byte) length;
        } else {
            bytes[1] = 127;
            long l = length;
            for (int i = 0; i < 8; i++) {
                bytes[2 + i] = (byte) (l >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, bytes, header, length);
        // writable and array-backed, as Tyrus's own broadcast hands it over: Grizzly then wraps the
        // array without a copy; nothing writes to it after this line
        return ByteBuffer.wrap(bytes);
    }
}
