package io.wscluster.hazelcast;

import io.wscluster.Cluster;
import io.wscluster.Delivery;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.testkit.RecordingDelivery;
import io.wscluster.spi.SessionHost;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The README's core-API snippet, compiled and run. Keep the two in step. */
class ReadmeExampleTest {

    @Test
    void readmeSnippet_runs() {
        int port = ClusterFixture.freePorts(1)[0];
        RecordingDelivery server = new RecordingDelivery();
        List<String> offline = new CopyOnWriteArrayList<>();

        // README: core API
        try (Cluster cluster = HazelcastCluster.builder()
                .clusterName("demo-" + port)
                .port(port)
                .members("127.0.0.1:" + port)
                .build()) {
            cluster.events().onUserOffline(event -> offline.add(event.user()));

            // wscluster-tyrus does this for every socket of a @Clustered endpoint
            SessionHost host = cluster.attachServer(server);
            SessionInfo alice = host.open("/chat", "alice", Map.of());

            cluster.rooms().join(alice.id(), "lobby").toCompletableFuture().join();
            Delivery delivery = cluster.messenger()
                    .sendText(Target.room("lobby"), "hello")
                    .toCompletableFuture().join();
            if (!delivery.reachedAnyone()) {
                throw new IllegalStateException("nobody in the lobby");
            }
            host.closed(alice.id());
            // README end

            assertThat(delivery).isEqualTo(new Delivery(1, 1));
            assertThat(server.texts(alice.id())).containsExactly("hello");
            await().until(() -> offline.contains("alice"));
        }
    }
}
