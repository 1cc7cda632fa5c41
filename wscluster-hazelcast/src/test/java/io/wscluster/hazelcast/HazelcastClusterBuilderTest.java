package io.wscluster.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.wscluster.ClusterException;
import io.wscluster.SessionInfo;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.testkit.RecordingDelivery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HazelcastClusterBuilderTest {

    @Test
    void setters_badValues_failAtOnceNamingFieldAndValue() {
        HazelcastCluster.Builder builder = HazelcastCluster.builder();
        assertThatThrownBy(() -> builder.port(70000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must be 0..65535 but was 70000");
        assertThatThrownBy(() -> builder.members("localhost")).hasMessage("members must be host:port addresses but one was 'localhost'");
        assertThatThrownBy(() -> builder.failureTimeout(Duration.ofMillis(500)))
                .hasMessage("failureTimeout must be >= 2000 ms but was 500 ms");
        assertThatThrownBy(() -> builder.clusterName(" ")).hasMessage("clusterName must be 1..128 characters but was ' '");
        assertThatThrownBy(() -> builder.requestTimeout(Duration.ZERO)).hasMessage("requestTimeout must be > 0 but was PT0S");
        assertThatThrownBy(() -> builder.publicAddress("10.0.0.1")).hasMessage("publicAddress must be a host:port address but was '10.0.0.1'");
        assertThatThrownBy(() -> builder.bindAddress("127.0.0.1:5701"))
                .hasMessage("bindAddress must be an IP address without port but was '127.0.0.1:5701'");
    }

    @Test
    void conflictingSettings_areIllegalState() {
        HazelcastCluster.Builder withPort = HazelcastCluster.builder().port(5701);
        assertThatThrownBy(() -> withPort.config(new Config())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("config cannot be combined with clusterName, bindAddress, publicAddress, port or members");
        HazelcastCluster.Builder withName = HazelcastCluster.builder().clusterName("x");
        HazelcastInstance neverStarted = (HazelcastInstance) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {HazelcastInstance.class}, (proxy, method, args) -> {
                    throw new AssertionError("the builder must refuse before touching the instance");
                });
        assertThatThrownBy(() -> withName.hazelcastInstance(neverStarted))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("hazelcastInstance cannot be combined with embedded-member settings");
    }

    @Test
    void failureTimeout_setsHeartbeatTimeoutToSixtyPercentRoundedUp_andSystemPropertiesWin() {
        int port = ClusterFixture.freePorts(1)[0];
        HazelcastCluster cluster = HazelcastCluster.builder().clusterName("wsc-ft-" + port).port(port)
                .failureTimeout(Duration.ofMillis(9_100)).property("hazelcast.partition.count", "7").build();
        try {
            Config config = cluster.hazelcastInstance().getConfig();
            // 60% of 9.1 s is 5.46 s; a failure timeout whose 60% is under 5 s: DetectionFloorTest
            assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("6");
            assertThat(config.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
            assertThat(config.getProperty("hazelcast.shutdownhook.enabled")).isEqualTo("false");
            assertThat(config.getProperty("hazelcast.graceful.shutdown.max.wait")).isEqualTo("5");
        } finally {
            cluster.crash();
        }
    }

    @Test
    void configFile_missing_isIllegalArgument(@TempDir Path dir) {
        assertThatThrownBy(() -> HazelcastCluster.builder().configFile(dir.resolve("nope.yaml")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("configFile must be a readable file");
    }

    @Test
    void hazelcastInstance_given_isUsedAndNeverShutDown() {
        Config config = new Config().setClusterName("wsc-own-" + System.nanoTime());
        config.getNetworkConfig().setPort(ClusterFixture.freePorts(1)[0]).getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.setProperty("hazelcast.partition.count", "7");
        HazelcastInstance own = Hazelcast.newHazelcastInstance(config);
        try {
            HazelcastCluster cluster = HazelcastCluster.builder().hazelcastInstance(own).build();
            SessionInfo s = cluster.attachServer(new RecordingDelivery()).open("/chat", "alice", Map.of());
            assertThat(cluster.registry().session(s.id())).isPresent();
            cluster.close();
            assertThat(own.getLifecycleService().isRunning()).isTrue();
            assertThat(own.<String, byte[]>getMap("wsc.sessions").containsKey(s.id().value())).isFalse();
            assertThatThrownBy(() -> cluster.messenger().sendText(io.wscluster.Target.all(), "x"))
                    .isInstanceOf(ClusterException.class)
                    .hasMessage("Node '" + cluster.localNode() + "' has left the cluster and accepts no more work");
        } finally {
            own.getLifecycleService().terminate();
        }
    }

    @Test
    void hazelcastInstance_client_worksAlongsideAMemberNode() throws Exception {
        int port = ClusterFixture.freePorts(1)[0];
        String name = "wsc-client-" + System.nanoTime();
        HazelcastCluster memberNode = HazelcastCluster.builder().clusterName(name).port(port)
                .property("hazelcast.partition.count", "7").build();
        com.hazelcast.client.config.ClientConfig clientConfig = new com.hazelcast.client.config.ClientConfig();
        clientConfig.setClusterName(name);
        clientConfig.getNetworkConfig().addAddress("127.0.0.1:" + port);
        HazelcastInstance client = com.hazelcast.client.HazelcastClient.newHazelcastClient(clientConfig);
        try {
            RecordingDelivery onMember = new RecordingDelivery();
            RecordingDelivery onClient = new RecordingDelivery();
            SessionInfo alice = memberNode.attachServer(onMember).open("/chat", "alice", Map.of());
            HazelcastCluster clientNode = HazelcastCluster.builder().hazelcastInstance(client).build();
            SessionInfo bob = clientNode.attachServer(onClient).open("/chat", "bob", Map.of());
            clientNode.rooms().join(bob.id(), "lobby").toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            memberNode.rooms().join(alice.id(), "lobby").toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(memberNode.registry().usersInRoom("lobby")).containsExactly("alice", "bob");
            assertThat(memberNode.messenger().sendText(io.wscluster.Target.room("lobby"), "hi")
                    .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(new io.wscluster.Delivery(2, 2));
            org.awaitility.Awaitility.await().until(() -> onClient.texts(bob.id()).contains("hi"));
            assertThat(clientNode.nodes()).hasSize(2);
            clientNode.close();
            assertThat(client.getLifecycleService().isRunning()).isTrue();
            assertThat(memberNode.registry().session(bob.id())).isEmpty();
        } finally {
            client.shutdown();
            memberNode.crash();
        }
    }

    @Test
    void configFile_yaml_startsAMemberFromIt(@TempDir Path dir) throws Exception {
        int port = ClusterFixture.freePorts(1)[0];
        Path yaml = dir.resolve("hazelcast.yaml");
        Files.writeString(yaml, String.join("\n",
                "hazelcast:",
                "  cluster-name: wsc-yaml-" + System.nanoTime(),
                "  properties:",
                "    hazelcast.partition.count: 7",
                "  network:",
                "    port:",
                "      port: " + port,
                "      auto-increment: false",
                "    join:",
                "      multicast:",
                "        enabled: false",
                "      auto-detection:",
                "        enabled: false",
                ""));
        HazelcastCluster cluster = HazelcastCluster.builder().configFile(yaml).build();
        try {
            assertThat(cluster.hazelcastInstance().getConfig().getNetworkConfig().getPort()).isEqualTo(port);
            assertThat(cluster.nodes()).extracting(n -> n.id()).containsExactly(cluster.localNode());
        } finally {
            cluster.crash();
        }
    }
}
