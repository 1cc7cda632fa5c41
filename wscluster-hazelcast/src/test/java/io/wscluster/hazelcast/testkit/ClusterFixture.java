package io.wscluster.hazelcast.testkit;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.testkit.ClusterNodes;
import io.wscluster.testkit.RecordingDelivery;
import io.wscluster.testkit.TestNode;
import io.wscluster.spi.SessionHost;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Real Hazelcast members over loopback in this JVM, each with a recording server attached.
 * Unique cluster name per fixture, TCP/IP join, small partition count, fast failure detection.
 */
public final class ClusterFixture implements AutoCloseable {

    /** Failure timeout used by fixtures: detection plus cleanup. */
    public static final Duration FAILURE_TIMEOUT = Duration.ofSeconds(4);

    /** One node of the fixture. */
    public record Member(HazelcastCluster cluster, RecordingDelivery server, SessionHost host, int port) {
    }

    private final String name = "wsc-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Member> members = new ArrayList<>();

    /** @return the cluster name of the fixture's members */
    public String name() {
        return name;
    }

    /**
     * Starts {@code count} members that all name each other as seeds.
     *
     * @param count how many
     * @return the fixture
     */
    public static ClusterFixture start(int count) {
        return start(count, UnaryOperator.identity());
    }

    /**
     * Starts {@code count} members that all name each other as seeds, each built with
     * {@code customize}; if one fails to start, the ones started are closed.
     *
     * @param count     how many
     * @param customize applied to each member's builder
     * @return the fixture
     */
    public static ClusterFixture start(int count, UnaryOperator<HazelcastCluster.Builder> customize) {
        ClusterFixture fixture = new ClusterFixture();
        int[] ports = freePorts(count);
        String[] seeds = new String[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = "127.0.0.1:" + ports[i];
        }
        try {
            for (int port : ports) {
                fixture.add(port, customize, seeds);
            }
        } catch (RuntimeException e) {
            fixture.close();
            throw e;
        }
        return fixture;
    }

    /**
     * Starts one more member with the given seeds.
     *
     * @param port  its port
     * @param seeds seed addresses
     * @return the member
     */
    public Member add(int port, String... seeds) {
        return add(port, b -> b, seeds);
    }

    /**
     * Starts one more member with the given seeds and settings of its own.
     *
     * @param port      its port
     * @param customize changes to the fixture's builder (properties win over the fixture's)
     * @param seeds     seed addresses
     * @return the member
     */
    public Member add(int port, UnaryOperator<HazelcastCluster.Builder> customize, String... seeds) {
        HazelcastCluster cluster = customize.apply(builder(port)).members(seeds).build();
        RecordingDelivery server = new RecordingDelivery();
        Member member = new Member(cluster, server, cluster.attachServer(server), port);
        members.add(member);
        return member;
    }

    /**
     * A builder with the fixture's test settings.
     *
     * @param port the member's port
     * @return the builder
     */
    public HazelcastCluster.Builder builder(int port) {
        return HazelcastCluster.builder()
                .clusterName(name)
                .bindAddress("127.0.0.1")
                .port(port)
                .failureTimeout(FAILURE_TIMEOUT)
                .requestTimeout(Duration.ofSeconds(10))
                .mergeDelay(Duration.ofSeconds(2))
                .property("hazelcast.partition.count", "23")
                .property("hazelcast.wait.seconds.before.join", "0")
                .property("hazelcast.max.wait.seconds.before.join", "0");
    }

    /**
     * @param index 0-based
     * @return that member
     */
    public Member get(int index) {
        return members.get(index);
    }

    /** @return all members started, crashed ones included */
    public List<Member> members() {
        return members;
    }

    /**
     * Free ports on 127.0.0.1, drawn below the kernel's ephemeral range (Linux: 32768 and up). A port
     * from that range can be taken between this call and the member binding it: by any socket bound
     * to port 0, or by a TCP self-connect when a member keeps dialling a seed that is not up yet.
     *
     * @param count how many
     * @return distinct free ports
     */
    public static int[] freePorts(int count) {
        return io.wscluster.testkit.FreePorts.of(count);
    }

    /**
     * Makes a plain Hazelcast member config join on loopback only, for tests that start raw members
     * beside (or instead of) wscluster nodes: the cluster name, 23 partitions, no wait before joining,
     * no phone-home, the port on 127.0.0.1 and TCP/IP join to the seeds (no multicast, no discovery).
     *
     * @param config      the config to change (a new one, or one read from YAML)
     * @param clusterName the cluster name
     * @param port        this member's port
     * @param seeds       the members to join, host:port
     * @return the same config
     */
    public static Config onLoopback(Config config, String clusterName, int port, String... seeds) {
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.partition.count", "23");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(List.of(seeds));
        return config;
    }

    /**
     * This fixture as the contract kits ({@code io.wscluster.testkit}) see it: its members as test
     * nodes, a crash as {@link HazelcastCluster#crash()}, cleanup within {@link #FAILURE_TIMEOUT}.
     *
     * @return a view of this fixture; closing it closes the fixture
     */
    public ClusterNodes asKitNodes() {
        return new ClusterNodes() {
            @Override
            public List<TestNode> nodes() {
                return members.stream().map(m -> new TestNode(m.cluster(), m.server(), m.host())).toList();
            }

            @Override
            public void crash(TestNode node) {
                ((HazelcastCluster) node.cluster()).crash();
            }

            @Override
            public Duration failureTimeout() {
                return FAILURE_TIMEOUT;
            }

            @Override
            public void close() {
                ClusterFixture.this.close();
            }
        };
    }

    @Override
    public void close() {
        for (Member member : members) {
            member.cluster().crash();
        }
    }
}
