package io.wscluster.tyrus;

import io.wscluster.ClusterSession;

import java.time.Duration;
import java.util.Objects;

/**
 * What a server accepts from each client once it is connected: the largest text and binary message
 * (larger closes the session with 1009), how long it may stay silent, and an optional token bucket
 * that {@link ClusterSession#tryAcquire()} checks.
 *
 * <pre>{@code
 * InboundSettings inbound = InboundSettings.builder()
 *         .maxTextMessageBytes(16_384)
 *         .rateLimit(200, 600)
 *         .build();
 * WsServer.builder().inbound(inbound);   // or the same setters on WsServerBuilder
 * }</pre>
 *
 * <p>Immutable. Each setter of its {@link Builder} validates its argument at once.
 *
 * @since 0.2.0
 */
public final class InboundSettings {

    /** Default largest text message accepted from a client: 65,536 bytes; more closes with 1009. */
    public static final int DEFAULT_MAX_TEXT_MESSAGE_BYTES = 65_536;
    /** Default largest binary message accepted from a client: 65,536 bytes; more closes with 1009. */
    public static final int DEFAULT_MAX_BINARY_MESSAGE_BYTES = 65_536;
    /** Default idle timeout: none (zero). A positive value closes silent sessions (Tyrus closes with 1006). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ZERO;
    /** Default silence timeout: none (zero). A positive value closes connections whose client sends nothing. */
    public static final Duration DEFAULT_SILENCE_TIMEOUT = Duration.ZERO;
    /** Default inbound rate limit: none (0 messages per second). */
    public static final double DEFAULT_RATE_LIMIT_PER_SECOND = 0;
    /** Default inbound burst: 0, as there is no rate limit by default. */
    public static final int DEFAULT_RATE_LIMIT_BURST = 0;

    private static final InboundSettings DEFAULTS = new Builder().build();

    private final int maxTextMessageBytes;
    private final int maxBinaryMessageBytes;
    private final Duration idleTimeout;
    private final Duration silenceTimeout;
    private final double rateLimitPerSecond;
    private final int rateLimitBurst;

    private InboundSettings(Builder b) {
        this.maxTextMessageBytes = b.maxTextMessageBytes;
        this.maxBinaryMessageBytes = b.maxBinaryMessageBytes;
        this.idleTimeout = b.idleTimeout;
        this.silenceTimeout = b.silenceTimeout;
        this.rateLimitPerSecond = b.rateLimitPerSecond;
        this.rateLimitBurst = b.rateLimitBurst;
    }

    /** @return the defaults: 65,536-byte messages, no idle timeout, no rate limit */
    public static InboundSettings ofDefaults() {
        return DEFAULTS;
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these settings */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxTextMessageBytes = maxTextMessageBytes;
        b.maxBinaryMessageBytes = maxBinaryMessageBytes;
        b.idleTimeout = idleTimeout;
        b.silenceTimeout = silenceTimeout;
        b.rateLimitPerSecond = rateLimitPerSecond;
        b.rateLimitBurst = rateLimitBurst;
        return b;
    }

    /** @return the largest text message a client may send, after reassembly, in bytes */
    public int maxTextMessageBytes() {
        return maxTextMessageBytes;
    }

    /** @return the largest binary message a client may send, in bytes */
    public int maxBinaryMessageBytes() {
        return maxBinaryMessageBytes;
    }

    /** @return how long a session may receive nothing before it is closed; zero for never */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** @return how long a client may send nothing (no frame, no ping) before its connection is closed; zero for never */
    public Duration silenceTimeout() {
        return silenceTimeout;
    }

    /** @return the token bucket's refill rate per connection, per second; 0 for no rate limit */
    public double rateLimitPerSecond() {
        return rateLimitPerSecond;
    }

    /** @return the token bucket's size (a new connection's tokens); 0 for no rate limit */
    public int rateLimitBurst() {
        return rateLimitBurst;
    }

    @Override
    public String toString() {
        return "InboundSettings{maxTextMessageBytes=" + maxTextMessageBytes + ", maxBinaryMessageBytes=" + maxBinaryMessageBytes
                + ", idleTimeout=" + idleTimeout + ", silenceTimeout=" + silenceTimeout + ", rateLimit="
                + (rateLimitPerSecond > 0 ? rateLimitPerSecond + "/s burst " + rateLimitBurst : "none") + '}';
    }

    /**
     * Builds {@link InboundSettings}; each setter validates at once ({@link IllegalArgumentException}
     * naming the field and the value).
     *
     * @since 0.2.0
     */
    public static final class Builder {

        private int maxTextMessageBytes = DEFAULT_MAX_TEXT_MESSAGE_BYTES;
        private int maxBinaryMessageBytes = DEFAULT_MAX_BINARY_MESSAGE_BYTES;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration silenceTimeout = DEFAULT_SILENCE_TIMEOUT;
        private double rateLimitPerSecond = DEFAULT_RATE_LIMIT_PER_SECOND;
        private int rateLimitBurst = DEFAULT_RATE_LIMIT_BURST;

        private Builder() {
        }

        /**
         * The largest text message a client may send, after reassembly (default 65,536 bytes); a larger
         * one closes the session with 1009.
         *
         * @param bytes &gt; 0
         * @return this builder
         */
        public Builder maxTextMessageBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxTextMessageBytes must be > 0 but was " + bytes);
            }
            this.maxTextMessageBytes = bytes;
            return this;
        }

        /**
         * The largest binary message a client may send (default 65,536 bytes); larger closes with 1009.
         *
         * @param bytes &gt; 0
         * @return this builder
         */
        public Builder maxBinaryMessageBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxBinaryMessageBytes must be > 0 but was " + bytes);
            }
            this.maxBinaryMessageBytes = bytes;
            return this;
        }

        /**
         * Closes a session that received nothing for this long (default: zero, never).
         *
         * @param idleTimeout zero or positive
         * @return this builder
         */
        public Builder idleTimeout(Duration idleTimeout) {
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (idleTimeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must be >= 0 but was " + idleTimeout);
            }
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * Closes a connection whose client has sent nothing, no frame and no ping, for this long (default:
         * zero, never), with close code 1000 and reason {@code idle timeout}. Unlike {@link #idleTimeout},
         * what the server sends does not count: a client that only listens to broadcasts is silent too,
         * so pick a value above the client's ping interval.
         *
         * @param silenceTimeout zero or positive
         * @return this builder
         */
        public Builder silenceTimeout(Duration silenceTimeout) {
            Objects.requireNonNull(silenceTimeout, "silenceTimeout");
            if (silenceTimeout.isNegative()) {
                throw new IllegalArgumentException("silenceTimeout must be >= 0 but was " + silenceTimeout);
            }
            this.silenceTimeout = silenceTimeout;
            return this;
        }

        /**
         * A per-connection inbound token bucket, checked by {@link ClusterSession#tryAcquire()}: a
         * connection starts with {@code burst} tokens, refilled at {@code perSecond}. Default: none.
         *
         * @param perSecond tokens per second, &gt; 0
         * @param burst     bucket size, &gt;= 1
         * @return this builder
         */
        public Builder rateLimit(double perSecond, int burst) {
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("rateLimit perSecond must be > 0 but was " + perSecond);
            }
            if (burst < 1) {
                throw new IllegalArgumentException("rateLimit burst must be >= 1 but was " + burst);
            }
            this.rateLimitPerSecond = perSecond;
            this.rateLimitBurst = burst;
            return this;
        }

        /** @return the settings */
        public InboundSettings build() {
            return new InboundSettings(this);
        }
    }
}
