package io.wscluster.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import io.wscluster.ClusterException;
import io.wscluster.Delivery;
import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.hazelcast.internal.RoutingEntry;
import io.wscluster.hazelcast.internal.SessionRecord;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.hazelcast.testkit.ClusterFixture.Member;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
/**
 * Two sub-clusters that each went on alone merge (Hazelcast's split-brain healing), and the registry
 * converges to the sessions that really exist.
 *
 * <p>The split is built rather than cut: C starts first and forms a cluster alone; A and B start
 * naming only each other and form a second one. C names A and B, so Hazelcast's merge check finds
 * them and merges the smaller side (C) into the larger. Before the merge, C's side holds what a
 * real split leaves behind: a session of a node that died during the split, and a copy of a
 * session of A's that A closed during the split. {@link HistoryPartitionHealTest} builds the same
 * split for room history.
 */
class PartitionHealTest {

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    @Test
    void merge_afterSplit_registryConvergesToLiveSessions() throws Exception {
        int[] ports = ClusterFixture.freePorts(3);
        String seedA = "127.0.0.1:" + ports[0];
        String seedB = "127.0.0.1:" + ports[1];
        String seedC = "127.0.0.1:" + ports[2];
        try (ClusterFixture fixture = new ClusterFixture()) {
            // C alone knows the others' addresses; its first look for them comes after 15 s, when the
            // split below is set up (with the fixture's 2 s, C once merged before the setup was done)
            Member c = fixture.add(ports[2], b -> b.property("hazelcast.merge.first.run.delay.seconds", "15"), seedA, seedB, seedC);
            Member a = fixture.add(ports[0], seedA, seedB);
            Member b = fixture.add(ports[1], seedA, seedB);
            assertThat(c.cluster().nodes()).hasSize(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> a.cluster().nodes().size() == 2);

            SessionInfo alice = a.host().open("/chat", "alice", Map.of());
            SessionInfo bob = b.host().open("/chat", "bob", Map.of());
            SessionInfo carol = c.host().open("/chat", "carol", Map.of());
            join(a.cluster().rooms().join(alice.id(), "lobby"));
            join(b.cluster().rooms().join(bob.id(), "lobby"));
            join(c.cluster().rooms().join(carol.id(), "lobby"));
            plantStale(c.cluster().hazelcastInstance(), SessionId.of(new NodeId("deadnode"), 1), "ghost");
            plantStale(c.cluster().hazelcastInstance(), SessionId.of(a.cluster().localNode(), 999), "zombie");
            assertThat(c.cluster().registry().usersInRoom("lobby")).containsExactly("carol", "ghost", "zombie");

            // while C merges back it is quarantined and its reads refuse with a ClusterException
            await().atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(ClusterException.class).untilAsserted(() -> {
                for (Member m : List.of(a, b, c)) {
                    assertThat(m.cluster().nodes()).hasSize(3);
                    assertThat(m.cluster().registry().usersInRoom("lobby")).containsExactly("alice", "bob", "carol");
                    assertThat(m.cluster().registry().clusterCount()).isEqualTo(3);
                    assertThat(m.cluster().registry().isOnline("ghost")).isFalse();
                    assertThat(m.cluster().registry().isOnline("zombie")).isFalse();
                    assertThat(m.cluster().registry().isOnline("carol")).isTrue();
                }
            });
            Set<SessionId> registered = Set.copyOf(a.cluster().registry().sessionsInRoom("lobby").stream().map(SessionInfo::id).toList());
            assertThat(registered).containsExactlyInAnyOrder(alice.id(), bob.id(), carol.id());

            assertThat(join(c.cluster().messenger().sendText(Target.room("lobby"), "healed"))).isEqualTo(new Delivery(3, 3));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(a.server().texts(alice.id())).containsExactly("healed");
                assertThat(b.server().texts(bob.id())).containsExactly("healed");
                assertThat(c.server().texts(carol.id())).containsExactly("healed");
            });
        }
    }

    /** Writes a session that no node owns into one side's tables, as a split leaves behind. */
    private static void plantStale(HazelcastInstance side, SessionId id, String user) {
        SessionInfo stale = new SessionInfo(id, "/chat", user, Set.of("lobby"), Map.of(), Instant.now());
        side.<String, byte[]>getMap("wsc.sessions").set(id.value(), SessionRecord.encode(stale));
        side.<String, String[]>getMap("wsc.users").set(user, new String[] {id.value()});
        side.<String, String>getMultiMap("wsc.rooms").put("lobby", id.value() + " " + user);
        var interest = side.<String, byte[]>getMap("wsc.interest");
        RoutingEntry held = RoutingEntry.decode(interest.get("lobby"));
        interest.set("lobby", held.with(id.node(), 1).encode());
    }
}
