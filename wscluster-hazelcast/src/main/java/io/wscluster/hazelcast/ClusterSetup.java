package io.wscluster.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.wscluster.HistorySettings;
import io.wscluster.hazelcast.internal.ClusterSettings;
import io.wscluster.hazelcast.internal.EmbeddedMember;
import io.wscluster.hazelcast.internal.HazelcastNode;
import io.wscluster.spi.LoggingCheck;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

import static io.wscluster.hazelcast.HazelcastCluster.Builder.MIN_FAILURE_TIMEOUT;
import static io.wscluster.hazelcast.HazelcastCluster.Builder.MIN_SECRET_BYTES;

/**
 * What {@link HazelcastCluster.Builder} collects, each value checked when it is set, and the start
 * of a node from it: the builder's javadoc says what each setting means, this class enforces it.
 *
 * <p>Design notes. A node runs on one of two kinds of Hazelcast instance: an embedded member that
 * wscluster starts, owns and stops (from the settings {@link EmbeddedMember} collects, or from the
 * user's own {@link Config}), or an instance the user runs, which wscluster never stops. The two
 * exclude each other whichever comes first: an embedded-member setting after
 * {@link #hazelcastInstance}, or an instance after such a setting, is an
 * {@link IllegalStateException} naming the setting. A user's {@code Config} excludes only the
 * network settings it would contradict; the merge delay and properties apply to it as defaults. The
 * core's settings (timeouts, secret, history) hold for either kind and are checked the same way. A
 * node that fails to start terminates the member started for it, so a failed {@link #build} leaves
 * no member running; an instance the user passed is left as it was.
 */
final class ClusterSetup {

    private final EmbeddedMember member;
    private Duration failureTimeout;
    private Duration requestTimeout;
    private HazelcastInstance instance;
    private Config config;
    private UnaryOperator<ClusterSettings> settingsChange = UnaryOperator.identity();
    private byte[] secret;
    private HistorySettings history = HistorySettings.none();

    /**
     * @param member         the embedded member, with the builder's defaults and nothing set
     * @param failureTimeout the failure timeout when none is set
     * @param requestTimeout the request timeout when none is set
     */
    ClusterSetup(EmbeddedMember member, Duration failureTimeout, Duration requestTimeout) {
        this.member = member;
        this.failureTimeout = failureTimeout;
        this.requestTimeout = requestTimeout;
    }

    /**
     * The embedded member, for one of its settings.
     *
     * @param setting the setting's name, for the error
     * @return the member
     * @throws IllegalStateException if a Hazelcast instance was given
     */
    EmbeddedMember embedded(String setting) {
        if (instance != null) {
            throw new IllegalStateException(setting + " cannot be combined with hazelcastInstance");
        }
        return member;
    }

    void failureTimeout(Duration timeout) {
        if (timeout == null || timeout.compareTo(MIN_FAILURE_TIMEOUT) < 0) {
            throw new IllegalArgumentException("failureTimeout must be >= " + MIN_FAILURE_TIMEOUT.toMillis()
                    + " ms but was " + (timeout == null ? "null" : timeout.toMillis() + " ms"));
        }
        this.failureTimeout = timeout;
    }

    void requestTimeout(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("requestTimeout must be > 0 but was " + timeout);
        }
        this.requestTimeout = timeout;
    }

    void clusterSecret(String clusterSecret) {
        if (clusterSecret == null) {
            throw new IllegalArgumentException("clusterSecret must not be null");
        }
        byte[] bytes = clusterSecret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("clusterSecret must be at least " + MIN_SECRET_BYTES
                    + " bytes but was " + bytes.length);
        }
        if (secret != null) {
            throw new IllegalStateException("clusterSecret was already set");
        }
        this.secret = bytes;
    }

    void hazelcastInstance(HazelcastInstance hazelcast) {
        Objects.requireNonNull(hazelcast, "hazelcastInstance");
        if (config != null || member.hasSettings()) {
            throw new IllegalStateException("hazelcastInstance cannot be combined with embedded-member settings "
                    + "(clusterName, bindAddress, publicAddress, port, members, mergeDelay, property, config)");
        }
        if (instance != null) {
            throw new IllegalStateException("hazelcastInstance was already set");
        }
        this.instance = hazelcast;
    }

    void config(Config hazelcastConfig) {
        Objects.requireNonNull(hazelcastConfig, "config");
        if (instance != null || config != null) {
            throw new IllegalStateException("config cannot be combined with hazelcastInstance or another config");
        }
        if (member.hasNetworkSettings()) {
            throw new IllegalStateException("config cannot be combined with clusterName, bindAddress, publicAddress, port or members: "
                    + "set those in the Hazelcast configuration");
        }
        this.config = hazelcastConfig;
    }

    void history(HistorySettings settings) {
        this.history = Objects.requireNonNull(settings, "history");
    }

    void settingsChange(UnaryOperator<ClusterSettings> change) {
        this.settingsChange = Objects.requireNonNull(change, "settings");
    }

    /**
     * The core's settings: the timeouts set here, the system property
     * {@value ClusterSettings#EMPTY_ROOM_GRACE_PROPERTY} (milliseconds) read once, then any change a
     * test made.
     */
    ClusterSettings settings() {
        return settingsChange.apply(ClusterSettings.of(requestTimeout, failureTimeout)
                .withEmptyRoomGraceProperty(System.getProperty(ClusterSettings.EMPTY_ROOM_GRACE_PROPERTY)));
    }

    /**
     * Starts the embedded member (unless an instance was given) and the node on it.
     *
     * @return the running cluster
     */
    HazelcastCluster build() {
        ClusterSettings settings = settings();
        RunningInstance running = instance != null ? new RunningInstance(instance, false)
                : new RunningInstance(member.start(config, failureTimeout), true);
        try {
            return new HazelcastCluster(running, new HazelcastNode(running.hazelcast(), settings, secret, history));
        } catch (RuntimeException e) {
            running.terminate();
            throw e;
        }
    }

    /**
     * Sends Hazelcast's logging to SLF4J unless the user chose otherwise, and warns once if SLF4J
     * has no provider. Runs before the first Hazelcast class loads, or Hazelcast's early warnings go
     * to {@code java.util.logging}.
     */
    static void routeHazelcastLogging() {
        if (System.getProperty("hazelcast.logging.type") == null) {
            System.setProperty("hazelcast.logging.type", "slf4j");
        }
        LoggingCheck.warnIfNoProvider();
    }
}
