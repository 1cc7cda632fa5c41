package io.wscluster.it.harness;

import io.wscluster.Cluster;
import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.tyrus.support.Nodes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Runs wscluster-tyrus's node fixture ({@link Nodes}) on real Hazelcast members in this JVM instead
 * of the in-memory cluster: registered as a {@link Nodes.Backend} service in this module's tests, so
 * the Tyrus cluster SPI tests scanned from wscluster-tyrus's test-jar (see this module's pom) run
 * across members. Unique cluster name, loopback, small partition count; each new member names the
 * earlier ones as seeds.
 */
public final class HazelcastNodesBackend implements Nodes.Backend {

    /**
     * Failure detection of the members: 30 s. No test run on this backend loses a node, and with a
     * few seconds a CPU-starved machine (a busy CI runner) splits the in-JVM cluster and fails
     * unrelated tests.
     */
    private static final Duration FAILURE_TIMEOUT = Duration.ofSeconds(30);

    private final String name = "wsc-tyrus-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> seeds = new ArrayList<>();
    private final List<HazelcastCluster> members = new ArrayList<>();

    @Override
    public synchronized Cluster newNode() {
        int port = ClusterFixture.freePorts(1)[0];
        seeds.add("127.0.0.1:" + port);
        HazelcastCluster member = HazelcastCluster.builder()
                .clusterName(name)
                .bindAddress("127.0.0.1")
                .port(port)
                .members(seeds.toArray(String[]::new))
                .failureTimeout(FAILURE_TIMEOUT)
                .property("hazelcast.partition.count", "23")
                .property("hazelcast.wait.seconds.before.join", "0")
                .build();
        members.add(member);
        return member;
    }

    @Override
    public synchronized void close() {
        for (HazelcastCluster member : members) {
            try {
                member.crash();
            } catch (RuntimeException e) {
                // already left (a drain closed it)
            }
        }
    }
}
