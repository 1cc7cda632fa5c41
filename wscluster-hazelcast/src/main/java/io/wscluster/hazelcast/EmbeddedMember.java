package io.wscluster.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The Hazelcast configuration of the member wscluster embeds: TCP/IP join on one bound address
 * (no multicast, no auto-detection), failure detection within 60% of the failure timeout, and
 * wscluster's other defaults, each of which yields to what the user set (a property in the
 * configuration, a builder property or a {@code -D} system property).
 */
final class EmbeddedMember {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMember.class);

    private final Duration failureTimeout;
    private final Duration mergeDelay;
    private final Map<String, String> properties;

    EmbeddedMember(Duration failureTimeout, Duration mergeDelay, Map<String, String> properties) {
        this.failureTimeout = failureTimeout;
        this.mergeDelay = mergeDelay;
        this.properties = properties;
    }

    /**
     * The member's network: TCP/IP join only, bound to one address.
     *
     * @param clusterName   the cluster name
     * @param host          the bind address
     * @param publicAddress the address others reach it at, or null
     * @param port          the port, 0 for a free one
     * @param members       seed addresses
     * @return a new configuration
     */
    Config config(String clusterName, String host, String publicAddress, int port, List<String> members) {
        Config c = new Config();
        c.setClusterName(clusterName);
        NetworkConfig network = c.getNetworkConfig();
        int chosenPort = port == 0 ? freePort(host) : port;
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
        return c;
    }

    /**
     * Sets wscluster's defaults where the user set nothing, then the builder's properties.
     *
     * @param c the configuration the member starts from
     */
    void applyProperties(Config c) {
        // Detection gets 60% of the bound, rounded up, never under 2 s: a shorter heartbeat
        // timeout makes a busy member suspect healthy ones.
        long failureSeconds = Math.max(2, (failureTimeout.toMillis() * 6 + 9_999) / 10_000);
        setIfAbsent(c, "hazelcast.logging.type", "slf4j");
        setIfAbsent(c, "hazelcast.phone.home.enabled", "false");
        // Our close() (or the server's drain) leaves the cluster; Hazelcast's own hook would pull
        // the member away in the middle of a drain.
        setIfAbsent(c, "hazelcast.shutdownhook.enabled", "false");
        // close() waits for partition hand-over at most this long (Hazelcast's default is 600 s).
        setIfAbsent(c, "hazelcast.graceful.shutdown.max.wait", "5");
        setIfAbsent(c, "hazelcast.heartbeat.interval.seconds", "1");
        setIfAbsent(c, "hazelcast.max.no.heartbeat.seconds", Long.toString(failureSeconds));
        // Expired entries are found by a background task, every 5 s by default; client-mode nodes'
        // leases (half the failure timeout) rely on it, so look every second.
        setIfAbsent(c, "hazelcast.internal.map.expiration.task.period.seconds", "1");
        String merge = Long.toString(mergeDelay.getSeconds());
        setIfAbsent(c, "hazelcast.merge.first.run.delay.seconds", merge);
        setIfAbsent(c, "hazelcast.merge.next.run.delay.seconds", merge);
        properties.forEach(c::setProperty);
        LOG.debug("embedded member properties: {}", c.getProperties());
    }

    /** Our defaults yield to the user's: a property in the config, a builder property or a -D system property. */
    private void setIfAbsent(Config c, String name, String value) {
        if (c.getProperty(name) == null && !properties.containsKey(name) && System.getProperty(name) == null) {
            c.setProperty(name, value);
        }
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }
}
