package io.wscluster.hazelcast;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import io.wscluster.Delivery;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.event.NodeLeft;
import io.wscluster.event.UserOffline;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.hazelcast.testkit.ClusterFixture.Member;
import io.wscluster.testkit.RecordingDelivery;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node running on a Hazelcast client dies: no membership event tells the members, so its lease
 * does. Its sessions, presence, memberships and routing entries vanish within the failure timeout
 * plus the members' expiry sweep (1 s on wscluster's embedded members).
 */
class ClientNodeLossTest {

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    @Test
    void crash_ofAClientModeNode_removesItsSessionsOnceItsLeaseExpires() throws Exception {
        try (ClusterFixture fixture = ClusterFixture.start(1)) {
            Member a = fixture.get(0);
            ClientConfig config = new ClientConfig();
            config.setClusterName(fixture.name());
            config.getNetworkConfig().addAddress("127.0.0.1:" + a.port());
            HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
            try {
                HazelcastCluster clientNode = HazelcastCluster.builder().hazelcastInstance(client)
                        .failureTimeout(ClusterFixture.FAILURE_TIMEOUT).build();
                SessionInfo carl = clientNode.attachServer(new RecordingDelivery()).open("/chat", "carl", Map.of());
                join(clientNode.rooms().join(carl.id(), "lobby"));
                List<Object> seen = new CopyOnWriteArrayList<>();
                a.cluster().events().onNodeLeft(seen::add);
                a.cluster().events().onUserOffline(seen::add);
                assertThat(a.cluster().registry().usersInRoom("lobby")).containsExactly("carl");
                // A learns of the new node from the node table's entry listener, asynchronously
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(a.cluster().nodes()).hasSize(2));

                long crashedAt = System.nanoTime();
                clientNode.crash();
                client.getLifecycleService().terminate();

                Duration bound = ClusterFixture.FAILURE_TIMEOUT.plus(Duration.ofSeconds(3));
                await().atMost(bound).untilAsserted(() -> {
                    assertThat(a.cluster().registry().isOnline("carl")).isFalse();
                    assertThat(a.cluster().registry().usersInRoom("lobby")).isEmpty();
                    assertThat(a.cluster().registry().session(carl.id())).isEmpty();
                    assertThat(a.cluster().registry().clusterCount()).isZero();
                    assertThat(a.cluster().nodes()).hasSize(1);
                });
                long cleanedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashedAt);
                assertThat(join(a.cluster().messenger().sendText(Target.room("lobby"), "anyone?"))).isEqualTo(Delivery.NOBODY);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    assertThat(seen).filteredOn(e -> e instanceof UserOffline).containsExactly(new UserOffline("carl", carl.id()));
                    assertThat(seen).filteredOn(e -> e instanceof NodeLeft).extracting(e -> ((NodeLeft) e).lost()).containsExactly(true);
                });
                System.out.printf("client-mode node: cleanup after crash took %d ms (failure timeout %d ms)%n",
                        cleanedMillis, ClusterFixture.FAILURE_TIMEOUT.toMillis());
            } finally {
                if (client.getLifecycleService().isRunning()) {
                    client.shutdown();
                }
            }
        }
    }
}
