package io.wscluster.hazelcast;

import com.hazelcast.map.IMap;
import io.wscluster.Delivery;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.hazelcast.testkit.ClusterFixture.Member;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A verdict that a node is gone which no longer holds when its cleanup runs removes nothing of the
 * node. Issue 13: a node that woke from a freeze, alone in its own one-member cluster, queued
 * cleanups of the healthy nodes; when they ran after it had merged back, they removed a healthy
 * node's sessions, routing counts and node record from the real cluster, and the healthy nodes lost
 * room messages between each other. That race needs a frozen process; here the stale verdict is a
 * lease expiry naming a member that is alive (the lease path triggers the same cleanup): every node
 * must check that the node is still gone before it removes anything.
 */
class StaleVerdictTest {

    private static <T> T join(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    @Test
    void cleanupOfANodeThatIsAMember_removesNothing_roomMessagesStillReachIt() throws Exception {
        try (ClusterFixture fixture = ClusterFixture.start(2)) {
            Member a = fixture.get(0);
            Member b = fixture.get(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> a.cluster().nodes().size() == 2 && b.cluster().nodes().size() == 2);
            SessionInfo alice = a.host().open("/chat", "alice", Map.of());
            SessionInfo bob = b.host().open("/chat", "bob", Map.of());
            join(a.cluster().rooms().join(alice.id(), "lobby"));
            join(b.cluster().rooms().join(bob.id(), "lobby"));

            // a lease for B's id that expires at once: every node hears "node B is gone"
            IMap<String, Long> leases = a.cluster().hazelcastInstance().getMap("wsc.leases");
            String bId = b.cluster().localNode().value();
            leases.put(bId, System.currentTimeMillis(), 1, TimeUnit.SECONDS);
            // reading the entry after its time to live expires it (and fires the expiry event)
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> !leases.containsKey(bId));

            // the cleanups run on the maintenance threads within milliseconds; B must stay whole throughout
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                for (Member m : java.util.List.of(a, b)) {
                    assertThat(m.cluster().registry().usersInRoom("lobby")).containsExactlyInAnyOrder("alice", "bob");
                    assertThat(m.cluster().nodes()).hasSize(2);
                }
            });
            assertThat(join(a.cluster().messenger().sendText(Target.room("lobby"), "still here"))).isEqualTo(new Delivery(2, 2));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(b.server().texts(bob.id())).containsExactly("still here"));
            assertThat(a.cluster().stats().nodesLost()).as("nodes A counted lost").isZero();
        }
    }
}
