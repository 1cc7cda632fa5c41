package io.wscluster.hazelcast.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything the cluster core of one node is configured with, as one immutable value: built by
 * {@code HazelcastCluster.Builder} (which checks the user-facing settings and reads the system
 * property {@value #EMPTY_ROOM_GRACE_PROPERTY} once), or directly by tests. Each value is checked
 * when the settings are made; an invalid one is an {@link IllegalArgumentException} naming it.
 *
 * @param requestTimeout       how long a request to another node may take
 * @param failureTimeout       the bound for cleaning up after a lost node; a client-mode node's
 *                             lease lives half of it
 * @param emptyRoomGrace       how long a room's routing entry stays after its last member left;
 *                             longer than any clock skew between nodes
 * @param emptyRoomSweepPeriod how often a member looks for routing entries empty for longer than
 *                             the grace
 * @param retryDelay           the pause before a failed cleanup of a lost node is retried (a failed
 *                             reconcile waits four times as long)
 * @param secondReconcileDelay when a reconcile runs a second time after the event that caused it,
 *                             for what was still in flight during the first
 * @param ticker               the clock
 */
public record ClusterSettings(Duration requestTimeout, Duration failureTimeout, Duration emptyRoomGrace,
                              Duration emptyRoomSweepPeriod, Duration retryDelay, Duration secondReconcileDelay,
                              Ticker ticker) {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterSettings.class);

    /** System property overriding {@link #emptyRoomGrace}, in milliseconds. */
    public static final String EMPTY_ROOM_GRACE_PROPERTY = "wscluster.emptyRoomGraceMillis";
    /** Default {@link #emptyRoomGrace}: 5 minutes. */
    public static final Duration DEFAULT_EMPTY_ROOM_GRACE = Duration.ofMinutes(5);
    /** Default {@link #retryDelay}. */
    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(250);
    /** Default {@link #secondReconcileDelay}. */
    public static final Duration DEFAULT_SECOND_RECONCILE_DELAY = Duration.ofSeconds(5);
    /** The shortest period of any of the node's periodic tasks (sweeps, lease renewal). */
    public static final Duration MIN_PERIOD = Duration.ofMillis(250);

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException naming the first value that is missing, zero or negative
     */
    public ClusterSettings {
        requirePositive("requestTimeout", requestTimeout);
        requirePositive("failureTimeout", failureTimeout);
        requirePositive("emptyRoomGrace", emptyRoomGrace);
        requirePositive("emptyRoomSweepPeriod", emptyRoomSweepPeriod);
        requirePositive("retryDelay", retryDelay);
        requirePositive("secondReconcileDelay", secondReconcileDelay);
        Objects.requireNonNull(ticker, "ticker");
    }

    /**
     * Settings with the given timeouts and every other value at its default, on the system clock.
     *
     * @param requestTimeout how long a request to another node may take
     * @param failureTimeout the bound for cleaning up after a lost node
     * @return the settings
     */
    public static ClusterSettings of(Duration requestTimeout, Duration failureTimeout) {
        return new ClusterSettings(requestTimeout, failureTimeout, DEFAULT_EMPTY_ROOM_GRACE,
                sweepPeriodOf(DEFAULT_EMPTY_ROOM_GRACE), DEFAULT_RETRY_DELAY, DEFAULT_SECOND_RECONCILE_DELAY, Ticker.system());
    }

    /**
     * @param grace the new grace of empty rooms; the sweep period becomes half of it (at least {@link #MIN_PERIOD})
     * @return a copy with that grace
     */
    public ClusterSettings withEmptyRoomGrace(Duration grace) {
        requirePositive("emptyRoomGrace", grace);
        return new ClusterSettings(requestTimeout, failureTimeout, grace, sweepPeriodOf(grace), retryDelay,
                secondReconcileDelay, ticker);
    }

    /**
     * Applies the value of the system property {@value #EMPTY_ROOM_GRACE_PROPERTY}: a positive
     * number of milliseconds becomes the grace; anything else is ignored with a warning.
     *
     * @param millis the property's value, or null if it is not set
     * @return a copy with that grace, or these settings
     */
    public ClusterSettings withEmptyRoomGraceProperty(String millis) {
        if (millis == null) {
            return this;
        }
        long value = -1;
        try {
            value = Long.parseLong(millis.trim());
        } catch (NumberFormatException e) {
            // warned below
        }
        if (value > 0) {
            return withEmptyRoomGrace(Duration.ofMillis(value));
        }
        LOG.warn("ignoring system property {}='{}': not a positive number of milliseconds; the grace stays {} ms",
                EMPTY_ROOM_GRACE_PROPERTY, millis, emptyRoomGrace.toMillis());
        return this;
    }

    /**
     * @param period how often members look for idle routing entries
     * @return a copy with that period
     */
    public ClusterSettings withEmptyRoomSweepPeriod(Duration period) {
        return new ClusterSettings(requestTimeout, failureTimeout, emptyRoomGrace, period, retryDelay,
                secondReconcileDelay, ticker);
    }

    /**
     * @param clock the clock the node reads
     * @return a copy with that clock
     */
    public ClusterSettings withTicker(Ticker clock) {
        return new ClusterSettings(requestTimeout, failureTimeout, emptyRoomGrace, emptyRoomSweepPeriod, retryDelay,
                secondReconcileDelay, clock);
    }

    /** @return how long a client-mode node's lease lives without renewal: half the failure timeout */
    public Duration leaseTtl() {
        return failureTimeout.dividedBy(2);
    }

    /** @return how often a client-mode node renews its lease: four times per life, at most every {@link #MIN_PERIOD} */
    public Duration leaseRenewPeriod() {
        return atLeastMinPeriod(leaseTtl().dividedBy(4));
    }

    private static Duration sweepPeriodOf(Duration grace) {
        return atLeastMinPeriod(grace.dividedBy(2));
    }

    private static Duration atLeastMinPeriod(Duration period) {
        return period.compareTo(MIN_PERIOD) < 0 ? MIN_PERIOD : period;
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be > 0 but was " + value);
        }
    }
}
