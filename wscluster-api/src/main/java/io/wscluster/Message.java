package io.wscluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable WebSocket message: text or binary.
 *
 * <p>One instance is handed to every local receiver of a fan-out, so a server can encode the frame
 * once per node rather than once per session.
 *
 * @since 0.1.0
 */
public final class Message {

    private final String text;
    private final byte[] data;
    private final int size;

    private Message(String text, byte[] data, int size) {
        this.text = text;
        this.data = data;
        this.size = size;
    }

    /**
     * A text message.
     *
     * @param text the text, not null (may be empty)
     * @return the message
     * @throws IllegalArgumentException if the text holds an unpaired surrogate: a WebSocket text
     *                                  message is UTF-8, which cannot carry one
     */
    public static Message text(String text) {
        Objects.requireNonNull(text, "text");
        int size = utf8Length(text);
        if (size < 0) {
            int bad = -size - 1;
            throw new IllegalArgumentException("text has an unpaired surrogate U+"
                    + Integer.toHexString(text.charAt(bad)).toUpperCase(java.util.Locale.ROOT) + " at index " + bad
                    + " and cannot be sent as UTF-8");
        }
        return new Message(text, null, size);
    }

    /**
     * The number of bytes {@code text} takes in UTF-8, without encoding it.
     *
     * @param text any characters
     * @return the UTF-8 length, or {@code -(index + 1)} of the first unpaired surrogate
     */
    public static int utf8Length(CharSequence text) {
        int n = text.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    bytes += 2; // 4 bytes for the 2 chars of the pair
                    i++;
                } else {
                    return -(i + 1);
                }
            } else if (Character.isLowSurrogate(c)) {
                return -(i + 1);
            } else {
                bytes += 2;
            }
        }
        return bytes;
    }

    /**
     * A binary message; the array is copied.
     *
     * @param data the bytes, not null (may be empty)
     * @return the message
     */
    public static Message binary(byte[] data) {
        byte[] copy = Objects.requireNonNull(data, "data").clone();
        return new Message(null, copy, copy.length);
    }

    /**
     * A binary message that takes ownership of {@code data} without copying; the caller must not
     * change the array afterwards.
     *
     * @param data the bytes
     * @return the message
     */
    public static Message wrapBinary(byte[] data) {
        return new Message(null, Objects.requireNonNull(data, "data"), data.length);
    }

    /** @return the payload size in bytes (UTF-8 for text), computed once */
    public int size() {
        return size;
    }

    /** @return true for a text message, false for a binary one */
    public boolean isText() {
        return text != null;
    }

    /**
     * The text of a text message.
     *
     * @return the text
     * @throws IllegalStateException if this is a binary message
     */
    public String text() {
        if (text == null) {
            throw new IllegalStateException("binary message has no text");
        }
        return text;
    }

    /**
     * The payload of a binary message, as a read-only view.
     *
     * @return the bytes
     * @throws IllegalStateException if this is a text message
     */
    public ByteBuffer binary() {
        if (data == null) {
            throw new IllegalStateException("text message has no binary payload");
        }
        return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    /**
     * The payload as bytes: UTF-8 for text. A fresh array for text, the shared one for binary
     * ({@link #wrapBinary}); callers must not modify it.
     *
     * @return the bytes
     */
    public byte[] payloadBytes() {
        return text != null ? text.getBytes(StandardCharsets.UTF_8) : data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && Objects.equals(text, m.text) && Arrays.equals(data, m.data);
    }

    @Override
    public int hashCode() {
        return text != null ? text.hashCode() : Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return text != null ? "Message{text, " + text.length() + " chars}" : "Message{binary, " + data.length + " bytes}";
    }
}
