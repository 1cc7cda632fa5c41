package io.wscluster.tyrus;

import io.wscluster.CloseCode;

import java.util.Objects;

/**
 * How a server bounds what waits for a slow client: each session's outbound queue, in messages and in
 * payload bytes, the kernel send buffer in front of it, and what happens to a session whose queue is
 * full. A standalone {@link TyrusClusterContext#attach} queues with the same default bounds.
 *
 * <pre>{@code
 * OutboundSettings outbound = OutboundSettings.builder()
 *         .maxQueuedMessages(256)
 *         .overflowPolicy(OverflowPolicy.DROP_NEWEST)
 *         .build();
 * WsServer.builder().outbound(outbound);   // or the same setters on WsServerBuilder
 * }</pre>
 *
 * <p>Immutable. Each setter of its {@link Builder} validates its argument at once.
 *
 * @since 0.2.0
 */
public final class OutboundSettings {

    /** Default bound of a session's outbound queue, in messages: 1,024. */
    public static final int DEFAULT_MAX_QUEUED_MESSAGES = 1_024;
    /** Default bound of a session's outbound queue, in payload bytes: 4 MiB. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 4L * 1024 * 1024;
    /** Default kernel send buffer of each connection: 0, the operating system's own (Linux sizes it itself, up to {@code net.ipv4.tcp_wmem}'s maximum). */
    public static final int DEFAULT_SOCKET_SEND_BUFFER_BYTES = 0;
    /** Default policy for a full outbound queue: close the session. */
    public static final OverflowPolicy DEFAULT_OVERFLOW_POLICY = OverflowPolicy.CLOSE;
    /** Default close code for {@link OverflowPolicy#CLOSE}: 1013, try again later. */
    public static final int DEFAULT_OVERFLOW_CLOSE_CODE = CloseCode.TRY_AGAIN_LATER;

    private static final OutboundSettings DEFAULTS = new Builder().build();

    private final int maxQueuedMessages;
    private final long maxQueuedBytes;
    private final int socketSendBufferBytes;
    private final OverflowPolicy overflowPolicy;
    private final int overflowCloseCode;

    private OutboundSettings(Builder b) {
        this.maxQueuedMessages = b.maxQueuedMessages;
        this.maxQueuedBytes = b.maxQueuedBytes;
        this.socketSendBufferBytes = b.socketSendBufferBytes;
        this.overflowPolicy = b.overflowPolicy;
        this.overflowCloseCode = b.overflowCloseCode;
    }

    /** @return the defaults: 1,024 messages, 4 MiB, the system's send buffer, close with 1013 when full */
    public static OutboundSettings ofDefaults() {
        return DEFAULTS;
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these settings */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxQueuedMessages = maxQueuedMessages;
        b.maxQueuedBytes = maxQueuedBytes;
        b.socketSendBufferBytes = socketSendBufferBytes;
        b.overflowPolicy = overflowPolicy;
        b.overflowCloseCode = overflowCloseCode;
        return b;
    }

    /** @return the bound of each session's outbound queue, in messages */
    public int maxQueuedMessages() {
        return maxQueuedMessages;
    }

    /** @return the bound of each session's outbound queue, in payload bytes */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /** @return the kernel send buffer of each accepted connection; 0 leaves the system's default */
    public int socketSendBufferBytes() {
        return socketSendBufferBytes;
    }

    /** @return what happens to a session whose outbound queue is full */
    public OverflowPolicy overflowPolicy() {
        return overflowPolicy;
    }

    /** @return the close code of {@link OverflowPolicy#CLOSE} */
    public int overflowCloseCode() {
        return overflowCloseCode;
    }

    @Override
    public String toString() {
        return "OutboundSettings{maxQueuedMessages=" + maxQueuedMessages + ", maxQueuedBytes=" + maxQueuedBytes
                + ", socketSendBufferBytes=" + socketSendBufferBytes + ", overflowPolicy=" + overflowPolicy
                + ", overflowCloseCode=" + overflowCloseCode + '}';
    }

    /**
     * Builds {@link OutboundSettings}; each setter validates at once ({@link IllegalArgumentException}
     * naming the field and the value).
     *
     * @since 0.2.0
     */
    public static final class Builder {

        private int maxQueuedMessages = DEFAULT_MAX_QUEUED_MESSAGES;
        private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
        private int socketSendBufferBytes = DEFAULT_SOCKET_SEND_BUFFER_BYTES;
        private OverflowPolicy overflowPolicy = DEFAULT_OVERFLOW_POLICY;
        private int overflowCloseCode = DEFAULT_OVERFLOW_CLOSE_CODE;

        private Builder() {
        }

        /**
         * Bounds each session's outbound queue in messages (default 1,024).
         *
         * @param messages &gt; 0
         * @return this builder
         */
        public Builder maxQueuedMessages(int messages) {
            if (messages <= 0) {
                throw new IllegalArgumentException("maxQueuedMessages must be > 0 but was " + messages);
            }
            this.maxQueuedMessages = messages;
            return this;
        }

        /**
         * Bounds each session's outbound queue in payload bytes (default 4 MiB): what waits behind the
         * message being sent. An empty queue takes one message of any size, so a message larger than
         * this bound still reaches a client that keeps up; for a client that does not read, what waits is
         * at most the larger of this bound and one message, plus the one in flight.
         *
         * @param bytes &gt; 0
         * @return this builder
         */
        public Builder maxQueuedBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxQueuedBytes must be > 0 but was " + bytes);
            }
            this.maxQueuedBytes = bytes;
            return this;
        }

        /**
         * The kernel send buffer ({@code SO_SNDBUF}) of each accepted connection, or 0 (the default) to
         * leave it to the operating system. A session's outbound queue fills only once the kernel
         * buffer is full, so a client that stops reading costs up to this much kernel memory, plus
         * the queue, before the overflow policy acts; Linux grows an unset buffer up to
         * {@code net.ipv4.tcp_wmem}'s maximum (4 MiB by default). A fixed size (64 KiB, say) bounds
         * that and gets non-readers handled sooner; too small a size slows large messages over long
         * links. The kernel may round the value.
         *
         * @param bytes 0 for the system default, else &gt;= 4,096
         * @return this builder
         */
        public Builder socketSendBufferBytes(int bytes) {
            if (bytes != 0 && bytes < 4_096) {
                throw new IllegalArgumentException("socketSendBufferBytes must be 0 (system default) or >= 4096 but was " + bytes);
            }
            this.socketSendBufferBytes = bytes;
            return this;
        }

        /**
         * What to do with a session whose outbound queue is full (default {@link OverflowPolicy#CLOSE}).
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder overflowPolicy(OverflowPolicy policy) {
            this.overflowPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The close code of {@link OverflowPolicy#CLOSE}: 1013 (try again later, the default) or 1008
         * (policy violation).
         *
         * @param code 1013 or 1008
         * @return this builder
         */
        public Builder overflowCloseCode(int code) {
            if (code != CloseCode.TRY_AGAIN_LATER && code != CloseCode.POLICY_VIOLATION) {
                throw new IllegalArgumentException("overflowCloseCode must be 1013 or 1008 but was " + code);
            }
            this.overflowCloseCode = code;
            return this;
        }

        /** @return the settings */
        public OutboundSettings build() {
            return new OutboundSettings(this);
        }
    }
}
