package io.wscluster.hazelcast.metrics;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ClusterMetersTest {

    @Test
    void bindTo_registersMetersThatFollowTraffic() throws Exception {
        try (ClusterFixture fixture = ClusterFixture.start(2)) {
            var a = fixture.get(0);
            var b = fixture.get(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> a.cluster().nodes().size() == 2);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new ClusterMeters(a.cluster()).bindTo(registry);

            SessionInfo onB = b.host().open("/chat", "bob", Map.of());
            SessionInfo onA = a.host().open("/chat", "alice", Map.of());
            for (int i = 0; i < 10; i++) {
                a.cluster().messenger().sendText(Target.session(onB.id()), "hi").toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            a.cluster().messenger().sendText(Target.user("alice"), "self").toCompletableFuture().get(10, TimeUnit.SECONDS);

            String node = a.cluster().localNode().value();
            assertThat(registry.get("wscluster.messages.sent").tag("node", node).functionCounter().count()).isEqualTo(11);
            assertThat(registry.get("wscluster.deliveries.local").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("wscluster.internode.messages").tag("direction", "out").functionCounter().count())
                    .isGreaterThanOrEqualTo(10);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    registry.get("wscluster.internode.messages").tag("direction", "in").functionCounter().count() >= 10);
            assertThat(registry.get("wscluster.internode.bytes").tag("direction", "out").functionCounter().count()).isPositive();
            assertThat(registry.get("wscluster.sessions.local").gauge().value()).isEqualTo(1);
            assertThat(registry.get("wscluster.sessions.cluster").gauge().value()).isEqualTo(2);
            assertThat(registry.get("wscluster.nodes").gauge().value()).isEqualTo(2);
            FunctionTimer routing = registry.get("wscluster.routing").functionTimer();
            assertThat(routing.count()).isEqualTo(11);
            assertThat(routing.totalTime(TimeUnit.NANOSECONDS)).isPositive();
            a.host().closed(onA.id());
            b.host().closed(onB.id());
        }
    }
}
