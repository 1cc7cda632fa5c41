package io.wscluster.hazelcast;

import com.hazelcast.map.IMap;
import io.wscluster.Delivery;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.hazelcast.testkit.ClusterFixture.Member;
import io.wscluster.hazelcast.testkit.ManualTicker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A room's routing entry is deleted once the room has been empty for the grace period, on every
 * node's copy too, so the table holds the rooms in use and not every room ever used; a room joined
 * again afterwards routes from every node.
 */
class EmptyRoomCleanupTest {

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    private static int routedRooms(Member m) {
        return m.cluster().routedRooms();
    }

    @Test
    void emptyRoom_isDeletedEverywhereAfterTheGrace_andRoutesAgainWhenJoinedAgain() throws Exception {
        try (ClusterFixture fixture = ClusterFixture.start(3, builder -> builder.settings(settings -> settings.withEmptyRoomGrace(Duration.ofSeconds(1))))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.members().stream()
                    .allMatch(m -> m.cluster().nodes().size() == 3));
            Member a = fixture.get(0);
            Member b = fixture.get(1);
            Member c = fixture.get(2);
            IMap<String, byte[]> table = a.cluster().hazelcastInstance().getMap("wsc.interest");
            SessionInfo bo = b.host().open("/chat", "bo", Map.of());

            join(a.cluster().rooms().join(bo.id(), "ephemeral"));
            join(a.cluster().rooms().join(bo.id(), "kept"));
            assertThat(table.containsKey("ephemeral")).isTrue();
            join(c.cluster().rooms().leave(bo.id(), "ephemeral"));

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(table.containsKey("ephemeral")).as("shared entry of the empty room").isFalse();
                for (Member m : fixture.members()) {
                    assertThat(routedRooms(m)).as("rooms in the copy of %s", m.cluster().localNode()).isEqualTo(1);
                }
            });
            assertThat(table.containsKey("kept")).isTrue();

            join(c.cluster().rooms().join(bo.id(), "ephemeral"));
            for (Member sender : List.of(a, b, c)) {
                assertThat(join(sender.cluster().messenger().sendText(Target.room("ephemeral"), "back from " + sender.port())))
                        .isEqualTo(new Delivery(1, 1));
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(b.server().texts(bo.id())).hasSize(3));
        }
    }

    /**
     * The same grace on a controlled clock: with an hour's grace the empty room's entry stays while
     * sweeps run, and goes at the first sweep after the clock moved past the grace; no real wait for
     * the grace.
     */
    @Test
    void emptyRoom_isKeptWithinTheGrace_andDeletedOnceTheClockPassesIt() throws Exception {
        ManualTicker clock = new ManualTicker();
        Duration sweepPeriod = Duration.ofMillis(250);
        try (ClusterFixture fixture = ClusterFixture.start(0)) {
            int[] ports = ClusterFixture.freePorts(2);
            String[] seeds = {"127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1]};
            for (int port : ports) {
                fixture.add(port, builder -> builder.settings(settings -> settings.withTicker(clock)
                        .withEmptyRoomGrace(Duration.ofHours(1)).withEmptyRoomSweepPeriod(sweepPeriod)), seeds);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.members().stream()
                    .allMatch(m -> m.cluster().nodes().size() == 2));
            Member a = fixture.get(0);
            Member b = fixture.get(1);
            IMap<String, byte[]> table = a.cluster().hazelcastInstance().getMap("wsc.interest");
            SessionInfo bo = b.host().open("/chat", "bo", Map.of());
            join(a.cluster().rooms().join(bo.id(), "ephemeral"));
            join(a.cluster().rooms().join(bo.id(), "kept"));
            join(a.cluster().rooms().leave(bo.id(), "ephemeral"));

            await().during(sweepPeriod.multipliedBy(6)).atMost(Duration.ofSeconds(5))
                    .until(() -> table.containsKey("ephemeral"));
            for (Member m : fixture.members()) {
                assertThat(routedRooms(m)).as("rooms in the copy of %s within the grace", m.cluster().localNode()).isEqualTo(2);
            }

            clock.advance(Duration.ofHours(2));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(table.containsKey("ephemeral")).as("shared entry of the empty room").isFalse();
                for (Member m : fixture.members()) {
                    assertThat(routedRooms(m)).as("rooms in the copy of %s", m.cluster().localNode()).isEqualTo(1);
                }
            });
            assertThat(table.containsKey("kept")).isTrue();
        }
    }
}
