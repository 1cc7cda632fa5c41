package io.wscluster.tyrus.internal;

import org.glassfish.grizzly.Buffer;

/**
 * Measures the WebSocket messages a client sends on one upgraded connection, from the frame
 * headers alone, before Tyrus buffers them.
 *
 * <p>Design notes. Tyrus checks only an {@code @OnMessage(maxMessageSize)} for a message that
 * arrives in one frame, and buffers up to its 4 MiB incoming buffer first; the session's max
 * buffer sizes apply only to fragmented messages. The server's limits must hold for every
 * endpoint, so this meter reads each frame header as the bytes pass (never copying a payload),
 * adds up the payload lengths of a message's frames (a fragmented message counts whole), and
 * reports the first message over its limit. Control frames do not count. Compressed payloads
 * (permessage-deflate) would be measured compressed; the server installs no extension.
 */
final class FrameMeter {

    /** What {@link #feed} returns for a frame without the mask bit (RFC 6455: a client must mask). */
    static final int UNMASKED = 0x10;

    private static final int OP_CONTINUATION = 0;
    private static final int OP_TEXT = 1;
    private static final int OP_BINARY = 2;

    private final long maxText;
    private final long maxBinary;
    private final byte[] header = new byte[14];
    private int headerRead;
    private long payloadLeft;
    private int messageOpcode;
    private long messageBytes;

    FrameMeter(long maxText, long maxBinary) {
        this.maxText = maxText;
        this.maxBinary = maxBinary;
    }

    /**
     * Reads the bytes between position and limit without moving the position.
     *
     * @return 0 if within limits, {@link #UNMASKED} for an unmasked frame, else the opcode (1 text,
     *         2 binary) of the message over its limit
     */
    int feed(Buffer buffer) {
        int i = buffer.position();
        int end = buffer.limit();
        while (i < end) {
            if (payloadLeft > 0) {
                long skip = Math.min(payloadLeft, end - i);
                payloadLeft -= skip;
                i += (int) skip;
                continue;
            }
            header[headerRead++] = buffer.get(i++);
            int needed = headerLength();
            if (headerRead < needed) {
                continue;
            }
            headerRead = 0;
            int over = onFrame();
            if (over != 0) {
                return over;
            }
        }
        return 0;
    }

    /** @return the full header length once enough of it is known, else a value above what was read */
    private int headerLength() {
        if (headerRead < 2) {
            return 2;
        }
        int len7 = header[1] & 0x7f;
        int mask = (header[1] & 0x80) != 0 ? 4 : 0;
        return 2 + mask + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
    }

    private int onFrame() {
        if ((header[1] & 0x80) == 0) {
            return UNMASKED;
        }
        int opcode = header[0] & 0x0f;
        int len7 = header[1] & 0x7f;
        long length;
        if (len7 == 126) {
            length = ((header[2] & 0xffL) << 8) | (header[3] & 0xffL);
        } else if (len7 == 127) {
            length = 0;
            for (int k = 2; k < 10; k++) {
                length = (length << 8) | (header[k] & 0xffL);
            }
            if (length < 0) {
                length = Long.MAX_VALUE;
            }
        } else {
            length = len7;
        }
        payloadLeft = length;
        if (opcode == OP_TEXT || opcode == OP_BINARY) {
            messageOpcode = opcode;
            messageBytes = length;
        } else if (opcode == OP_CONTINUATION) {
            messageBytes = messageBytes > Long.MAX_VALUE - length ? Long.MAX_VALUE : messageBytes + length;
        } else {
            return 0; // control frame
        }
        long limit = messageOpcode == OP_BINARY ? maxBinary : maxText;
        return messageBytes > limit ? messageOpcode : 0;
    }
}
