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
import io.wscluster.spi.SessionHost;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    private final RunningInstance instance;
    private final HazelcastNode node;

    HazelcastCluster(RunningInstance instance, HazelcastNode node) {
        this.instance = instance;
        this.node = node;
    }

    /**
     * A builder with every default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        ClusterSetup.routeHazelcastLogging();
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
        return instance.hazelcast();
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
        instance.shutdown();
    }

    /**
     * Stops this node at once without deregistering, as a crash would (the others clean up after
     * it): for tests and failure drills.
     */
    public void crash() {
        node.stop();
        instance.terminate();
    }

    /**
     * Builds a {@link HazelcastCluster}. Each setter validates its value at once: a bad value is an
     * {@link IllegalArgumentException}, a setting that conflicts with an earlier one an
     * {@link IllegalStateException}. The checks and the start are in {@link ClusterSetup}.
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

        private final ClusterSetup setup = new ClusterSetup(
                new EmbeddedMember(DEFAULT_CLUSTER_NAME, DEFAULT_BIND_ADDRESS, DEFAULT_PORT, DEFAULT_MERGE_DELAY),
                DEFAULT_FAILURE_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);

        private Builder() {
        }

        /**
         * The cluster name; nodes join only a cluster of the same name.
         *
         * @param name 1..128 characters
         * @return this builder
         */
        public Builder clusterName(String name) {
            setup.embedded("clusterName").clusterName(name);
            return this;
        }

        /**
         * The interface the cluster port binds to (default {@value #DEFAULT_BIND_ADDRESS}).
         *
         * @param address an IP address of this host
         * @return this builder
         */
        public Builder bindAddress(String address) {
            setup.embedded("bindAddress").bindAddress(address);
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
            setup.embedded("publicAddress").publicAddress(address);
            return this;
        }

        /**
         * The cluster port (default {@value #DEFAULT_PORT}); 0 picks a free port.
         *
         * @param port 0..65535
         * @return this builder
         */
        public Builder port(int port) {
            setup.embedded("port").port(port);
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
            setup.embedded("members").members(addresses);
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
            setup.failureTimeout(timeout);
            return this;
        }

        /**
         * How long a request to another node may take before its stage fails (default 10 s).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            setup.requestTimeout(timeout);
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
            setup.embedded("mergeDelay").mergeDelay(delay);
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
            setup.embedded("property").property(name, value);
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
            setup.clusterSecret(clusterSecret);
            return this;
        }

        /**
         * Runs on an instance you already have, member or client. wscluster never shuts it down.
         * Cannot be combined with the embedded-member settings. With room history, its members should
         * merge the map {@code wsc.history} with {@link HistoryMergePolicy} (README, "History across a
         * partition"); the embedded member does that itself.
         *
         * @param hazelcast a running instance
         * @return this builder
         */
        public Builder hazelcastInstance(HazelcastInstance hazelcast) {
            setup.hazelcastInstance(hazelcast);
            return this;
        }

        /**
         * Starts the embedded member from your own Hazelcast configuration, used as it is.
         *
         * @param hazelcastConfig the configuration
         * @return this builder
         */
        public Builder config(Config hazelcastConfig) {
            setup.config(hazelcastConfig);
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
            setup.history(settings);
            return this;
        }

        /**
         * Starts the embedded member (unless an instance was given) and joins the cluster.
         *
         * @return the running cluster
         */
        public HazelcastCluster build() {
            return setup.build();
        }

        /**
         * Changes the core's settings after the builder made them: for tests (a controlled clock,
         * short grace periods).
         *
         * @param change applied to the settings {@link #build} makes
         * @return this builder
         */
        Builder settings(UnaryOperator<ClusterSettings> change) {
            setup.settingsChange(change);
            return this;
        }

        /** @return the core's settings, as {@link ClusterSetup#settings()} makes them, for tests */
        ClusterSettings settings() {
            return setup.settings();
        }
    }
}
