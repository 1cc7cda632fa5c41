package io.wscluster.hazelcast.internal;

import java.time.Instant;

/**
 * The clock a node reads: wall time for what other nodes compare (lease stamps, open times, the
 * age of a routing entry) and a monotonic reading for durations. Every timed decision of the
 * cluster core reads it, so tests move time instead of waiting for it.
 */
public interface Ticker {

    /** @return the current wall-clock time in milliseconds since the epoch */
    long wallMillis();

    /** @return the current wall-clock instant */
    Instant now();

    /** @return a monotonic reading in nanoseconds, for measuring durations only */
    long nanos();

    /**
     * The system clock.
     *
     * @return a ticker reading {@link System#currentTimeMillis()}, {@link Instant#now()} and {@link System#nanoTime()}
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }

    /** The system clock. */
    enum SystemTicker implements Ticker {
        /** The one instance. */
        INSTANCE;

        @Override
        public long wallMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public long nanos() {
            return System.nanoTime();
        }
    }
}
