package io.wscluster.hazelcast;

import com.hazelcast.map.IMap;
import io.wscluster.Delivery;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.hazelcast.testkit.ClusterFixture.Member;
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
        System.setProperty("wscluster.emptyRoomGraceMillis", "1000");
        try (ClusterFixture fixture = ClusterFixture.start(3)) {
            System.clearProperty("wscluster.emptyRoomGraceMillis");
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
}
