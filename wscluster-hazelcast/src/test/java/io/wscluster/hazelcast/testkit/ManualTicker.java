package io.wscluster.hazelcast.testkit;

import io.wscluster.hazelcast.internal.Ticker;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock for tests: the system clock plus an offset the test moves forward, so that leases, grace
 * periods and sweeps see hours pass in an instant. It keeps running with real time in between,
 * since Hazelcast underneath does.
 */
public final class ManualTicker implements Ticker {

    private final AtomicLong offsetMillis = new AtomicLong();

    /**
     * Moves the clock forward.
     *
     * @param amount how far
     */
    public void advance(Duration amount) {
        offsetMillis.addAndGet(amount.toMillis());
    }

    @Override
    public long wallMillis() {
        return System.currentTimeMillis() + offsetMillis.get();
    }

    @Override
    public Instant now() {
        return Instant.now().plusMillis(offsetMillis.get());
    }

    @Override
    public long nanos() {
        return System.nanoTime() + offsetMillis.get() * 1_000_000L;
    }
}
