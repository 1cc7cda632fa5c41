package io.wscluster.hazelcast.internal;

import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The member wscluster embeds: its settings as {@code HazelcastCluster.Builder} collects them, each
 * checked when it is set, and the Hazelcast configuration it starts from.
 *
 * <p>Design notes: the member joins by TCP/IP on one bound address (no multicast, no
 * auto-detection), detects a lost member within 60% of the failure timeout, and takes wscluster's
 * other defaults, each of which yields to what the user set (a property in the configuration, a
 * builder property or a {@code -D} system property). Settings left unset take the defaults the
 * builder passes in, so the public defaults stay next to the public setters.
 *
 * <p>One setting does not yield: the heartbeat timeout ({@code hazelcast.max.no.heartbeat.seconds},
 * the detection time) is never below {@value #MIN_DETECTION_SECONDS} s, whether it was derived from
 * the failure timeout or set by the user. On a busy machine members that had just removed one of
 * their own, or taken over from a frozen master, sent each other no heartbeat for over 3 s, and with
 * a 3 s timeout a healthy pair split (issue 13). A value below the floor is raised to it with a WARN
 * rather than refused: the failure timeout of 2 s and up was accepted before, the raise costs only a
 * later verdict on a frozen or cut-off node (a crashed one closes its connections and is found at
 * once), and a node that does not start over a tuning value is worse than one that detects a freeze
 * 2 s later.
 */
public final class EmbeddedMember {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMember.class);
    /** The shortest heartbeat timeout (detection time) an embedded member runs with, in seconds. */
    public static final long MIN_DETECTION_SECONDS = 5;
    private static final String MAX_NO_HEARTBEAT = "hazelcast.max.no.heartbeat.seconds";

    private final String defaultClusterName;
    private final String defaultBindAddress;
    private final int defaultPort;
    private final Duration defaultMergeDelay;

    private String clusterName;
    private String bindAddress;
    private String publicAddress;
    private Integer port;
    private final List<String> members = new ArrayList<>();
    private Duration mergeDelay;
    private final Map<String, String> properties = new LinkedHashMap<>();

    /**
     * A member with nothing set yet.
     *
     * @param clusterName the cluster name when none is set
     * @param bindAddress the bind address when none is set
     * @param port        the port when none is set
     * @param mergeDelay  the split-brain merge delay when none is set
     */
    public EmbeddedMember(String clusterName, String bindAddress, int port, Duration mergeDelay) {
        this.defaultClusterName = clusterName;
        this.defaultBindAddress = bindAddress;
        this.defaultPort = port;
        this.defaultMergeDelay = mergeDelay;
    }

    /** @param name 1..128 characters */
    public void clusterName(String name) {
        if (name == null || name.isBlank() || name.length() > 128) {
            throw new IllegalArgumentException("clusterName must be 1..128 characters but was " + quote(name));
        }
        this.clusterName = name;
    }

    /** @param address an IP address of this host, without port */
    public void bindAddress(String address) {
        if (address == null || address.isBlank() || address.contains(":") && !address.contains("::")) {
            throw new IllegalArgumentException("bindAddress must be an IP address without port but was " + quote(address));
        }
        this.bindAddress = address;
    }

    /** @param address {@code host:port} */
    public void publicAddress(String address) {
        if (address == null || !address.matches("[^\\s:]+:\\d{1,5}")) {
            throw new IllegalArgumentException("publicAddress must be a host:port address but was " + quote(address));
        }
        this.publicAddress = address;
    }

    /** @param port 0..65535, 0 for a free port */
    public void port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535 but was " + port);
        }
        this.port = port;
    }

    /** @param addresses seed addresses, each {@code host:port}; each is added once it is checked */
    public void members(String... addresses) {
        for (String address : addresses) {
            if (address == null || !address.matches("[^\\s:]+:\\d{1,5}") || Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)) > 65535) {
                throw new IllegalArgumentException("members must be host:port addresses but one was " + quote(address));
            }
            members.add(address);
        }
    }

    /** @param delay at least one second */
    public void mergeDelay(Duration delay) {
        if (delay == null || delay.getSeconds() < 1) {
            throw new IllegalArgumentException("mergeDelay must be >= 1 s but was " + delay);
        }
        this.mergeDelay = delay;
    }

    /**
     * @param name  a Hazelcast property
     * @param value its value
     */
    public void property(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        properties.put(name, value);
    }

    /** @return true if a cluster name, bind or public address, port or seed member was set */
    public boolean hasNetworkSettings() {
        return clusterName != null || bindAddress != null || publicAddress != null || port != null || !members.isEmpty();
    }

    /** @return true if anything was set */
    public boolean hasSettings() {
        return hasNetworkSettings() || mergeDelay != null || !properties.isEmpty();
    }

    /**
     * Starts the member.
     *
     * @param userConfig     the user's own configuration, used as it is apart from wscluster's
     *                       defaults for properties it leaves unset; null to make one from the settings
     * @param failureTimeout the bound for removing a lost node's sessions everywhere
     * @return the running instance
     */
    public HazelcastInstance start(Config userConfig, Duration failureTimeout) {
        Config effective = userConfig != null ? userConfig : config();
        applyProperties(effective, failureTimeout);
        HistoryMerge.configure(effective);
        return Hazelcast.newHazelcastInstance(effective);
    }

    /**
     * Reads a Hazelcast configuration file.
     *
     * @param file a {@code hazelcast.yaml} or {@code hazelcast.xml} file
     * @return the configuration
     * @throws IllegalArgumentException if the file is not a readable file
     * @throws UncheckedIOException     if it cannot be read
     */
    public static Config loadConfig(Path file) {
        Objects.requireNonNull(file, "configFile");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("configFile must be a readable file but was " + file);
        }
        try {
            return Config.loadFromFile(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read Hazelcast configuration " + file, e);
        }
    }

    /** The member's network: TCP/IP join only, bound to one address. */
    private Config config() {
        String host = bindAddress != null ? bindAddress : defaultBindAddress;
        int requested = port != null ? port : defaultPort;
        Config c = new Config();
        c.setClusterName(clusterName != null ? clusterName : defaultClusterName);
        NetworkConfig network = c.getNetworkConfig();
        int chosenPort = requested == 0 ? freePort(host) : requested;
        network.setPort(chosenPort).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface(host);
        if (publicAddress != null) {
            network.setPublicAddress(publicAddress);
        }
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember(host + ":" + chosenPort);
        for (String member : members) {
            join.getTcpIpConfig().addMember(member);
        }
        c.setProperty("hazelcast.socket.bind.any", "false");
        // outgoing member connections leave from the bound address too, not from any interface
        c.setProperty("hazelcast.socket.client.bind.any", "false");
        // Java deserialization on the cluster port: Hazelcast's filter with its defaults, a blacklist of
        // known gadget classes and a whitelist of com.hazelcast., java* and arrays, plus the one class of
        // ours that travels by Java serialization: room history's entry processor. Everything else
        // wscluster stores and sends is byte[], String, String[] or Long.
        JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig();
        filter.getWhitelist().addClasses(HistoryAppend.class.getName());
        c.getSerializationConfig().setJavaSerializationFilterConfig(filter);
        return c;
    }

    /** Sets wscluster's defaults where the user set nothing, then the builder's properties. */
    private void applyProperties(Config c, Duration failureTimeout) {
        // Detection gets 60% of the bound, rounded up, raised to the floor (see the design notes)
        long failureSeconds = (failureTimeout.toMillis() * 6 + 9_999) / 10_000;
        boolean detectionSet = c.getProperty(MAX_NO_HEARTBEAT) != null || properties.containsKey(MAX_NO_HEARTBEAT)
                || System.getProperty(MAX_NO_HEARTBEAT) != null;
        setIfAbsent(c, "hazelcast.logging.type", "slf4j");
        setIfAbsent(c, "hazelcast.phone.home.enabled", "false");
        // Our close() (or the server's drain) leaves the cluster; Hazelcast's own hook would pull
        // the member away in the middle of a drain.
        setIfAbsent(c, "hazelcast.shutdownhook.enabled", "false");
        // close() waits for partition hand-over at most this long (Hazelcast's default is 600 s).
        setIfAbsent(c, "hazelcast.graceful.shutdown.max.wait", "5");
        setIfAbsent(c, "hazelcast.heartbeat.interval.seconds", "1");
        setIfAbsent(c, MAX_NO_HEARTBEAT, Long.toString(Math.max(MIN_DETECTION_SECONDS, failureSeconds)));
        // Expired entries are found by a background task, every 5 s by default; client-mode nodes'
        // leases (half the failure timeout) rely on it, so look every second.
        setIfAbsent(c, "hazelcast.internal.map.expiration.task.period.seconds", "1");
        String merge = Long.toString((mergeDelay != null ? mergeDelay : defaultMergeDelay).getSeconds());
        setIfAbsent(c, "hazelcast.merge.first.run.delay.seconds", merge);
        setIfAbsent(c, "hazelcast.merge.next.run.delay.seconds", merge);
        properties.forEach(c::setProperty);
        if (!detectionSet && failureSeconds < MIN_DETECTION_SECONDS) {
            LOG.warn("failureTimeout {} ms gives a failure detection time ({}) of {} s, below the minimum of {} s at which a busy"
                            + " member can miss heartbeats and split a healthy cluster: detection raised to {} s, so a frozen or cut-off"
                            + " node is declared gone after {} s (a crashed node, whose connections close, is still found at once);"
                            + " a failureTimeout of at least {} ms keeps detection within 60% of it",
                    failureTimeout.toMillis(), MAX_NO_HEARTBEAT, failureSeconds, MIN_DETECTION_SECONDS, MIN_DETECTION_SECONDS,
                    MIN_DETECTION_SECONDS, MIN_DETECTION_SECONDS * 10_000 / 6);
        }
        raiseToFloor(c);
        LOG.debug("embedded member properties: {}", c.getProperties());
    }

    /** A heartbeat timeout the user set below the floor (property, builder or {@code -D}) is raised to it. */
    private static void raiseToFloor(Config c) {
        String set = c.getProperty(MAX_NO_HEARTBEAT) != null ? c.getProperty(MAX_NO_HEARTBEAT) : System.getProperty(MAX_NO_HEARTBEAT);
        long seconds;
        try {
            seconds = Long.parseLong(set.trim());
        } catch (NumberFormatException | NullPointerException e) {
            return; // Hazelcast itself reports a value that is no number
        }
        if (seconds < MIN_DETECTION_SECONDS) {
            LOG.warn("{}={} is below wscluster's minimum failure detection time of {} s, at which a busy member can miss"
                    + " heartbeats and split a healthy cluster; raised to {} s", MAX_NO_HEARTBEAT, seconds, MIN_DETECTION_SECONDS,
                    MIN_DETECTION_SECONDS);
            c.setProperty(MAX_NO_HEARTBEAT, Long.toString(MIN_DETECTION_SECONDS));
        }
    }

    /** Our defaults yield to the user's: a property in the config, a builder property or a -D system property. */
    private void setIfAbsent(Config c, String name, String value) {
        if (c.getProperty(name) == null && !properties.containsKey(name) && System.getProperty(name) == null) {
            c.setProperty(name, value);
        }
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }

    private static String quote(String value) {
        return value == null ? "null" : "'" + value + "'";
    }
}
