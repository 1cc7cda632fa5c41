package io.wscluster.tyrus.internal;

import java.util.function.LongSupplier;

/**
 * A token bucket: a sustained rate with a burst, for the inbound rate limit of one session
 * ({@code WsServerBuilder.rateLimit}); its clock is a constructor argument, so tests move time.
 *
 * <p>A new bucket starts full ({@code burst} tokens) and refills continuously at
 * {@code ratePerSecond}, never above {@code burst}. Thread-safe.
 *
 * <pre>{@code
 * TokenBucket bucket = TokenBucket.of(200, 600);
 * if (!bucket.tryAcquire()) {
 *     // answer "rate_limited" and drop the frame
 * }
 * }</pre>
 */
final class TokenBucket {

    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private final double ratePerNano;
    private final int burst;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;

    TokenBucket(double ratePerSecond, int burst, LongSupplier nanoTime) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("ratePerSecond must be > 0 but was " + ratePerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be >= 1 but was " + burst);
        }
        this.ratePerNano = ratePerSecond / NANOS_PER_SECOND;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.last = nanoTime.getAsLong();
    }

    /**
     * Creates a full bucket.
     *
     * @param ratePerSecond tokens added per second, &gt; 0
     * @param burst         capacity, &gt;= 1
     * @return the bucket
     * @throws IllegalArgumentException if a value is out of range
     */
    static TokenBucket of(double ratePerSecond, int burst) {
        return new TokenBucket(ratePerSecond, burst, System::nanoTime);
    }

    /**
     * Takes one token if there is one.
     *
     * @return true if a token was taken, false if the bucket is empty
     */
    synchronized boolean tryAcquire() {
        long now = nanoTime.getAsLong();
        long elapsed = now - last;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * ratePerNano);
            last = now;
        }
        if (tokens >= 1d) {
            tokens -= 1d;
            return true;
        }
        return false;
    }

    /** @return the capacity */
    int burst() {
        return burst;
    }

    /** @return the sustained rate in tokens per second */
    double ratePerSecond() {
        return ratePerNano * NANOS_PER_SECOND;
    }
}
