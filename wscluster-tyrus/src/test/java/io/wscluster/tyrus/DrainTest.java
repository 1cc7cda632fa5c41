package io.wscluster.tyrus;

import io.wscluster.tyrus.support.Client;
import io.wscluster.tyrus.support.CommandEndpoint;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.support.PlainEndpoint;
import jakarta.websocket.CloseReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Graceful drain of one node of two: 1001 to its clients, deregistered, out of the cluster, port closed. */
class DrainTest {

    @Test
    void drain_closesSessionsWith1001DeregistersAndLeavesTheClusterInBoundedTime() {
        try (Nodes nodes = Nodes.start(2, b -> b.endpoint(CommandEndpoint.class).endpoint(PlainEndpoint.class)
                .userResolver(UserResolver.queryParam("user")).closeClusterOnDrain(true)
                .drainTimeout(Duration.ofSeconds(3)))) {
            await().atMost(20, TimeUnit.SECONDS).until(() -> nodes.get(0).cluster().nodes().size() == 2);
            Nodes.Node draining = nodes.get(1);
            Client clustered = Client.connect(draining.ws("/chat?user=dora"));
            Client plain = Client.connect(draining.ws("/plain"));
            await().atMost(10, TimeUnit.SECONDS).until(() -> nodes.get(0).cluster().registry().isOnline("dora"));

            long start = System.nanoTime();
            boolean clean = draining.server().drain();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(clean).isTrue();
            assertThat(took).isLessThan(Duration.ofSeconds(3 + 10));
            assertThat(draining.server().status()).isEqualTo(ServerStatus.STOPPED);
            CloseReason r1 = clustered.closed().orTimeout(10, TimeUnit.SECONDS).join();
            CloseReason r2 = plain.closed().orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(r1.getCloseCode().getCode()).isEqualTo(1001);
            assertThat(r2.getCloseCode().getCode()).isEqualTo(1001);
            assertThat(nodes.get(0).cluster().registry().isOnline("dora")).isFalse();
            await().atMost(10, TimeUnit.SECONDS).until(() -> nodes.get(0).cluster().nodes().size() == 1);
            assertThat(draining.server().drain()).as("drain is idempotent").isTrue();
        }
    }
}
