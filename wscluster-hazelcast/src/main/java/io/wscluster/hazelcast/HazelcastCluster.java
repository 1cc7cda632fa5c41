package io.wscluster.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.wscluster.CloseCode;
import io.wscluster.Cluster;
import io.wscluster.ClusterStats;
import io.wscluster.HistorySettings;
import io.wscluster.Messenger;
import io.wscluster.Node;
import io.wscluster.NodeId;
import io.wscluster.Registry;
import io.wscluster.Rooms;
import io.wscluster.SessionId;
import io.wscluster.event.ClusterEvents;
import io.wscluster.hazelcast.internal.ClusterSettings;
import io.wscluster.hazelcast.internal.EmbeddedMember;
import io.wscluster.hazelcast.internal.HazelcastNode;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.spi.LoggingCheck;
import io.wscluster.spi.SessionHost;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * A {@link Cluster} on Hazelcast: an embedded member by default, or an instance you already run.
 *
 * <pre>{@code
 * Cluster cluster = HazelcastCluster.builder()
 *         .clusterName("demo")
 *         .port(5701)
 *         .members("127.0.0.1:5701", "127.0.0.1:5702")
 *         .build();
 * }</pre>
 *
 * <p>An embedded member joins by TCP/IP only (no multicast, no auto-detection), binds to
 * {@link Builder#bindAddress} and detects a lost member within about 60% of the
 * {@link Builder#failureTimeout} (never under {@link Builder#MIN_DETECTION_TIME}); the rest of the bound is for cleanup. The open-source cluster
 * transport has no authentication or encryption: keep the cluster port on a private network, and
 * give every node the same {@link Builder#clusterSecret}: then a node routes only messages and
 * trusts only records authenticated with it, so a process that reaches the port without it cannot
 * make anything reach a client, and a member without it is counted in
 * {@link ClusterStats#untrustedMembers()}.
 *
 * @since 0.1.0
 */
public final class HazelcastCluster implements Cluster {

    private final HazelcastInstance hazelcast;
    private final boolean ownsInstance;
    private final HazelcastNode node;

    private HazelcastCluster(HazelcastInstance hazelcast, boolean ownsInstance, ClusterSettings settings, byte[] secret,
                             HistorySettings history) {
        this.hazelcast = hazelcast;
        this.ownsInstance = ownsInstance;
        try {
            this.node = new HazelcastNode(hazelcast, settings, secret, history);
        } catch (RuntimeException e) {
            if (ownsInstance) {
                hazelcast.getLifecycleService().terminate();
            }
            throw e;
        }
    }

    /**
     * A builder with every default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        // Before the first Hazelcast class loads, or its early warnings go to java.util.logging.
        if (System.getProperty("hazelcast.logging.type") == null) {
            System.setProperty("hazelcast.logging.type", "slf4j");
        }
        LoggingCheck.warnIfNoProvider();
        return new Builder();
    }

    @Override
    public NodeId localNode() {
        return node.localNode();
    }

    @Override
    public List<Node> nodes() {
        return node.nodes();
    }

    @Override
    public Registry registry() {
        return node.registry();
    }

    @Override
    public Rooms rooms() {
        return node.rooms();
    }

    @Override
    public Messenger messenger() {
        return node.messenger();
    }

    @Override
    public ClusterEvents events() {
        return node.events();
    }

    @Override
    public ClusterStats stats() {
        return node.stats();
    }

    @Override
    public Optional<String> unavailableReason() {
        return node.unavailableReason();
    }

    @Override
    public CompletionStage<Boolean> disconnect(SessionId session, CloseCode code) {
        return node.disconnect(session, code);
    }

    @Override
    public SessionHost attachServer(LocalDelivery delivery) {
        return node.attach(delivery);
    }

    /**
     * The Hazelcast instance underneath, for what wscluster does not cover. Do not shut it down
     * while the cluster is open.
     *
     * @return the instance
     */
    public HazelcastInstance hazelcastInstance() {
        return hazelcast;
    }

    /** @return how many rooms this node's copy of the routing table holds, for tests */
    int routedRooms() {
        return node.routedRooms();
    }

    /**
     * Leaves the cluster: deregisters this node's sessions and shuts the member down if this
     * library started it. An instance passed to {@link Builder#hazelcastInstance} is left running.
     */
    @Override
    public void close() {
        node.close();
        if (ownsInstance && hazelcast.getLifecycleService().isRunning()) {
            hazelcast.shutdown();
        }
    }

    /**
     * Stops this node at once without deregistering, as a crash would (the others clean up after
     * it): for tests and failure drills.
     */
    public void crash() {
        node.stop();
        if (ownsInstance) {
            hazelcast.getLifecycleService().terminate();
        }
    }

    /**
     * Builds a {@link HazelcastCluster}. Each setter validates its value at once: a bad value is an
     * {@link IllegalArgumentException}, a setting that conflicts with an earlier one an
     * {@link IllegalStateException}.
     *
     * @since 0.1.0
     */
    public static final class Builder {

        /** Default cluster name: nodes join only a cluster of the same name. */
        public static final String DEFAULT_CLUSTER_NAME = "wscluster";
        /** Default bind address of the cluster port: loopback, since the transport is not authenticated. */
        public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
        /** Default cluster port. */
        public static final int DEFAULT_PORT = 5701;
        /** Default bound for removing a lost node's sessions everywhere (detection and cleanup together). */
        public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(10);
        /** Default time a request to another node (a remote join, leave, kick, counted send) may take. */
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
        /** Default delay before the first split-brain merge check (Hazelcast's own default is 300 s). */
        public static final Duration DEFAULT_MERGE_DELAY = Duration.ofSeconds(30);
        /** Smallest failure timeout accepted. */
        public static final Duration MIN_FAILURE_TIMEOUT = Duration.ofSeconds(2);
        /**
         * Shortest failure detection time (Hazelcast's heartbeat timeout,
         * {@code hazelcast.max.no.heartbeat.seconds}) of an embedded member: a shorter one, derived
         * from a small {@link #failureTimeout} or set as a property, is raised to it with a WARN (a
         * busy member can miss heartbeats for over 3 s and split a healthy cluster).
         *
         * @since 0.2.0
         */
        public static final Duration MIN_DETECTION_TIME = Duration.ofSeconds(EmbeddedMember.MIN_DETECTION_SECONDS);
        /** Shortest cluster secret accepted, in bytes of UTF-8. */
        public static final int MIN_SECRET_BYTES = 16;

        private final EmbeddedMember member = new EmbeddedMember(DEFAULT_CLUSTER_NAME, DEFAULT_BIND_ADDRESS, DEFAULT_PORT,
                DEFAULT_MERGE_DELAY);
        private Duration failureTimeout = DEFAULT_FAILURE_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private HazelcastInstance instance;
        private Config config;
        private UnaryOperator<ClusterSettings> settingsChange = UnaryOperator.identity();
        private byte[] secret;
        private HistorySettings history = HistorySettings.none();

        private Builder() {
        }

        /**
         * The cluster name; nodes join only a cluster of the same name.
         *
         * @param name 1..128 characters
         * @return this builder
         */
        public Builder clusterName(String name) {
            requireEmbedded("clusterName");
            member.clusterName(name);
            return this;
        }

        /**
         * The interface the cluster port binds to (default {@value #DEFAULT_BIND_ADDRESS}).
         *
         * @param address an IP address of this host
         * @return this builder
         */
        public Builder bindAddress(String address) {
            requireEmbedded("bindAddress");
            member.bindAddress(address);
            return this;
        }

        /**
         * The {@code host:port} other members use to reach this one, when it differs from the bound
         * address (NAT, a proxy). Default: the bound address, or Hazelcast's
         * {@code hazelcast.local.publicAddress} system property when set.
         *
         * @param address {@code host:port}
         * @return this builder
         */
        public Builder publicAddress(String address) {
            requireEmbedded("publicAddress");
            member.publicAddress(address);
            return this;
        }

        /**
         * The cluster port (default {@value #DEFAULT_PORT}); 0 picks a free port.
         *
         * @param port 0..65535
         * @return this builder
         */
        public Builder port(int port) {
            requireEmbedded("port");
            member.port(port);
            return this;
        }

        /**
         * Seed addresses for TCP/IP join, each {@code host:port}. Absent: a one-node cluster until
         * another node names this one. A node does not wait for every seed.
         *
         * @param addresses {@code host:port} strings
         * @return this builder
         */
        public Builder members(String... addresses) {
            requireEmbedded("members");
            member.members(addresses);
            return this;
        }

        /**
         * The bound for removing a lost node's sessions from every other node: failure detection
         * (about 60% of it, but never under {@link #MIN_DETECTION_TIME}) plus cleanup. Default 10 s.
         * Below about 8.4 s the detection floor applies: a crashed node is still cleaned up within
         * the bound (its connections close), a frozen or cut-off one only after the floor plus cleanup.
         *
         * @param timeout at least {@link #MIN_FAILURE_TIMEOUT}
         * @return this builder
         */
        public Builder failureTimeout(Duration timeout) {
            if (timeout == null || timeout.compareTo(MIN_FAILURE_TIMEOUT) < 0) {
                throw new IllegalArgumentException("failureTimeout must be >= " + MIN_FAILURE_TIMEOUT.toMillis()
                        + " ms but was " + (timeout == null ? "null" : timeout.toMillis() + " ms"));
            }
            this.failureTimeout = timeout;
            return this;
        }

        /**
         * How long a request to another node may take before its stage fails (default 10 s).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            if (timeout == null || timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("requestTimeout must be > 0 but was " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * Delay before Hazelcast first looks for a split cluster to merge with, and between looks
         * (default {@link #DEFAULT_MERGE_DELAY}).
         *
         * @param delay at least one second
         * @return this builder
         */
        public Builder mergeDelay(Duration delay) {
            requireEmbedded("mergeDelay");
            member.mergeDelay(delay);
            return this;
        }

        /**
         * Sets a Hazelcast property on the embedded member, e.g. {@code hazelcast.partition.count}.
         *
         * @param name  the property
         * @param value its value
         * @return this builder
         */
        public Builder property(String name, String value) {
            requireEmbedded("property");
            member.property(name, value);
            return this;
        }

        /**
         * The cluster secret, the same on every node (default: none). With it, every message a node
         * sends to another and every record it stores for routing (sessions, nodes) carries an
         * HMAC-SHA256 tag made with a key derived from the secret; whatever does not verify is dropped
         * and counted in {@link ClusterStats#messagesRejected()}, and a Hazelcast member that is not a
         * node holding the secret is logged at warn and counted in
         * {@link ClusterStats#untrustedMembers()}, never routed to. Nodes with and without a secret do
         * not understand each other. Works with an embedded member and with
         * {@link #hazelcastInstance}.
         *
         * @param clusterSecret at least {@value #MIN_SECRET_BYTES} bytes of UTF-8; random, not a word
         * @return this builder
         */
        public Builder clusterSecret(String clusterSecret) {
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
            return this;
        }

        /**
         * Runs on an instance you already have, member or client. wscluster never shuts it down.
         * Cannot be combined with the embedded-member settings. With room history, its members should
         * merge the map {@code wsc.history} with {@code io.wscluster.hazelcast.internal.HistoryMerge}
         * (README, "History across a partition"); the embedded member does that itself.
         *
         * @param hazelcast a running instance
         * @return this builder
         */
        public Builder hazelcastInstance(HazelcastInstance hazelcast) {
            Objects.requireNonNull(hazelcast, "hazelcastInstance");
            if (config != null || member.hasSettings()) {
                throw new IllegalStateException("hazelcastInstance cannot be combined with embedded-member settings "
                        + "(clusterName, bindAddress, publicAddress, port, members, mergeDelay, property, config)");
            }
            if (instance != null) {
                throw new IllegalStateException("hazelcastInstance was already set");
            }
            this.instance = hazelcast;
            return this;
        }

        /**
         * Starts the embedded member from your own Hazelcast configuration, used as it is.
         *
         * @param hazelcastConfig the configuration
         * @return this builder
         */
        public Builder config(Config hazelcastConfig) {
            Objects.requireNonNull(hazelcastConfig, "config");
            if (instance != null || config != null) {
                throw new IllegalStateException("config cannot be combined with hazelcastInstance or another config");
            }
            if (member.hasNetworkSettings()) {
                throw new IllegalStateException("config cannot be combined with clusterName, bindAddress, publicAddress, port or members: "
                        + "set those in the Hazelcast configuration");
            }
            this.config = hazelcastConfig;
            return this;
        }

        /**
         * Starts the embedded member from a {@code hazelcast.yaml} or {@code hazelcast.xml} file.
         *
         * @param file the file
         * @return this builder
         */
        public Builder configFile(Path file) {
            return config(EmbeddedMember.loadConfig(file));
        }

        /**
         * Which rooms keep a history (default {@link HistorySettings#none()}): their messages are
         * numbered in one order for the whole cluster, kept in a map ({@code wsc.history}) with
         * Hazelcast's backups (one by default), and replayed by
         * {@link io.wscluster.Rooms#join(io.wscluster.SessionId, String, io.wscluster.Replay)}. Every
         * node of a cluster must use the same settings.
         *
         * @param settings the rules and the stamp
         * @return this builder
         * @since 0.2.0
         */
        public Builder history(HistorySettings settings) {
            this.history = Objects.requireNonNull(settings, "history");
            return this;
        }

        /**
         * Starts the embedded member (unless an instance was given) and joins the cluster.
         *
         * @return the running cluster
         */
        public HazelcastCluster build() {
            ClusterSettings settings = settings();
            if (instance != null) {
                return new HazelcastCluster(instance, false, settings, secret, history);
            }
            return new HazelcastCluster(member.start(config, failureTimeout), true, settings, secret, history);
        }

        /**
         * Changes the core's settings after the builder made them: for tests (a controlled clock,
         * short grace periods).
         *
         * @param change applied to the settings {@link #build} makes
         * @return this builder
         */
        Builder settings(UnaryOperator<ClusterSettings> change) {
            this.settingsChange = Objects.requireNonNull(change, "settings");
            return this;
        }

        /**
         * The core's settings: the timeouts set here, the system property
         * {@value ClusterSettings#EMPTY_ROOM_GRACE_PROPERTY} (milliseconds) read once, then any
         * change a test made.
         */
        ClusterSettings settings() {
            return settingsChange.apply(ClusterSettings.of(requestTimeout, failureTimeout)
                    .withEmptyRoomGraceProperty(System.getProperty(ClusterSettings.EMPTY_ROOM_GRACE_PROPERTY)));
        }

        private void requireEmbedded(String setting) {
            if (instance != null) {
                throw new IllegalStateException(setting + " cannot be combined with hazelcastInstance");
            }
        }
    }
}
