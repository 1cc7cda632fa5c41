package io.wscluster.hazelcast.internal;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.wscluster.Delivery;
import io.wscluster.Message;
import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.event.UserOnline;
import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.hazelcast.testkit.ClusterFixture.Member;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14, the cluster port: with a cluster secret, a stranger who reaches the port with the right
 * cluster name but without the secret cannot make a frame reach a user, fake a session or presence,
 * or be routed to; nodes sharing the secret work as before; a node with another secret cannot
 * deliver. Real members and clients over loopback.
 */
@Execution(ExecutionMode.CONCURRENT) // its methods build separate clusters on separate ports
class ClusterSecretTest {

    private static final String SECRET = "test-cluster-secret-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static <T> T join(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    private static ClusterFixture securedPair(String secret) {
        ClusterFixture fixture = new ClusterFixture();
        int[] ports = ClusterFixture.freePorts(2);
        String[] seeds = {"127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1]};
        for (int port : ports) {
            fixture.add(port, b -> b.clusterSecret(secret), seeds);
        }
        return fixture;
    }

    private static HazelcastInstance strangerClient(ClusterFixture fixture) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(fixture.name());
        config.getNetworkConfig().addAddress("127.0.0.1:" + fixture.get(0).port());
        return HazelcastClient.newHazelcastClient(config);
    }

    @Test
    void strangerClientWithoutTheSecret_forgesFramesSessionsAndPresence_nothingReachesAUserAndEachForgeryIsCounted() throws Exception {
        try (ClusterFixture fixture = securedPair(SECRET)) {
            Member a = fixture.get(0);
            Member b = fixture.get(1);
            await().atMost(WAIT).untilAsserted(() -> assertThat(a.cluster().nodes()).hasSize(2));
            SessionInfo bob = b.host().open("/chat", "bob", Map.of());
            join(b.cluster().rooms().join(bob.id(), "lobby"));
            List<Object> onlineSeen = new CopyOnWriteArrayList<>();
            a.cluster().events().onUserOnline(onlineSeen::add);
            // Nodes sharing the secret work as before.
            assertThat(join(a.cluster().messenger().sendText(Target.user("bob"), "hello from a"))).isEqualTo(new Delivery(1, 1));
            assertThat(join(a.cluster().messenger().sendText(Target.room("lobby"), "room hello"))).isEqualTo(new Delivery(1, 1));
            await().atMost(WAIT).untilAsserted(() -> assertThat(b.server().texts(bob.id())).containsExactly("hello from a", "room hello"));

            HazelcastInstance stranger = strangerClient(fixture);
            try {
                NodeId nodeB = b.cluster().localNode();
                long rejectedBefore = b.cluster().stats().messagesRejected();
                // A forged frame into B's inbox, once as the library writes it and once with a tag of another secret.
                byte[] forged = Envelope.encodeDeliver(0, null, Target.user("bob"),
                        Message.text("{\"op\":\"direct\",\"from\":\"admin\",\"text\":\"forged\"}"));
                stranger.<byte[]>getTopic(NodeLink.INBOX_PREFIX + nodeB.value()).publish(forged);
                byte[] wrongSecret = Seal.of("a-wrong-secret-0123456789".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .seal(NodeLink.INBOX_PREFIX + nodeB.value(), forged);
                stranger.<byte[]>getTopic(NodeLink.INBOX_PREFIX + nodeB.value()).publish(wrongSecret);
                // A valid frame B sealed for itself, replayed into A's inbox: bound to B's inbox, so A drops it.
                Seal shared = Seal.of(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                stranger.<byte[]>getTopic(NodeLink.INBOX_PREFIX + a.cluster().localNode().value())
                        .publish(shared.seal(NodeLink.INBOX_PREFIX + nodeB.value(), forged));
                // A fake session of "admin" on B, its presence and room membership, and its online event.
                SessionId fake = SessionId.of(nodeB, 999_999);
                SessionInfo fakeInfo = new SessionInfo(fake, "/chat", "admin", Set.of("lobby"), Map.of(), Instant.now());
                stranger.<String, byte[]>getMap(SharedTables.SESSIONS).set(fake.value(), SessionRecord.encode(fakeInfo));
                stranger.<String, String[]>getMap(SharedTables.USERS).set("admin", new String[] {fake.value()});
                stranger.<String, String>getMultiMap(SharedTables.ROOMS).put("lobby", fake.value() + " admin");
                stranger.<byte[]>getTopic(SharedTables.EVENTS).publish(TopicEvent.encodeUser(TopicEvent.Kind.ONLINE, "admin", fake));
                // A fake node whose routing entry claims members of "lobby".
                NodeId ghost = new NodeId("ghost");
                stranger.<String, byte[]>getMap(SharedTables.NODES).set(ghost.value(),
                        new NodeRecord(ghost, "127.0.0.1:1", Instant.now(), "00000000-0000-0000-0000-000000000001", false, false).encode());

                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(b.cluster().stats().messagesRejected() - rejectedBefore).isGreaterThanOrEqualTo(2);
                    assertThat(a.cluster().stats().messagesRejected()).isGreaterThanOrEqualTo(1);
                    // the stranger client is connected to A (it named A's address) and to B (smart routing)
                    assertThat(a.cluster().stats().untrustedMembers()).isEqualTo(1);
                });
                assertThat(a.cluster().registry().session(fake)).isEmpty();
                assertThat(a.cluster().registry().isOnline("admin")).isFalse();
                assertThat(a.cluster().registry().sessionsOfUser("admin")).isEmpty();
                assertThat(a.cluster().registry().usersInRoom("lobby")).containsExactly("bob");
                assertThat(a.cluster().registry().sessionsInRoom("lobby")).extracting(SessionInfo::id).containsExactly(bob.id());
                assertThat(a.cluster().nodes()).extracting(io.wscluster.Node::id)
                        .containsExactlyInAnyOrder(a.cluster().localNode(), nodeB);

                // A marker sent after the forgeries arrives; nothing forged ever did.
                assertThat(join(a.cluster().messenger().sendText(Target.user("bob"), "marker"))).isEqualTo(new Delivery(1, 1));
                await().atMost(WAIT).untilAsserted(() -> assertThat(b.server().texts(bob.id())).contains("marker"));
                assertThat(b.server().texts(bob.id())).containsExactly("hello from a", "room hello", "marker");
                assertThat(a.server().deliverCalls()).isZero();
                assertThat(onlineSeen).noneMatch(e -> ((UserOnline) e).user().equals("admin"));
            } finally {
                stranger.shutdown();
            }
            await().atMost(WAIT).untilAsserted(() -> assertThat(fixture.get(0).cluster().stats().untrustedMembers()).isZero());
        }
    }

    @Test
    void strangerMemberWithoutTheSecret_isCountedAsUntrustedAndNeverRoutedTo() throws Exception {
        try (ClusterFixture fixture = securedPair(SECRET)) {
            Member a = fixture.get(0);
            // the gauge is read once a second: a pair that started slowly may show its peer a moment longer
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(a.cluster().nodes()).hasSize(2);
                assertThat(a.cluster().stats().untrustedMembers()).isZero();
            });

            Config config = ClusterFixture.onLoopback(new Config(), fixture.name(), ClusterFixture.freePorts(1)[0], "127.0.0.1:" + a.port());
            HazelcastInstance stranger = Hazelcast.newHazelcastInstance(config);
            try {
                assertThat(a.cluster().hazelcastInstance().getCluster().getMembers()).hasSize(3);
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(a.cluster().stats().untrustedMembers()).isEqualTo(1);
                    assertThat(fixture.get(1).cluster().stats().untrustedMembers()).isEqualTo(1);
                });
                assertThat(a.cluster().nodes()).hasSize(2);
                SessionInfo amy = a.host().open("/chat", "amy", Map.of());
                assertThat(join(a.cluster().messenger().sendText(Target.all(), "to everyone"))).isEqualTo(new Delivery(1, 1));
                assertThat(a.server().texts(amy.id())).containsExactly("to everyone");
            } finally {
                stranger.getLifecycleService().terminate();
            }
            await().atMost(WAIT).untilAsserted(() -> assertThat(a.cluster().stats().untrustedMembers()).isZero());
        }
    }

    @Test
    void nodeWithAnotherSecret_cannotDeliverAndIsUntrusted() throws Exception {
        try (ClusterFixture fixture = securedPair(SECRET)) {
            Member a = fixture.get(0);
            Member b = fixture.get(1);
            await().atMost(WAIT).untilAsserted(() -> assertThat(a.cluster().nodes()).hasSize(2));
            SessionInfo bob = b.host().open("/chat", "bob", Map.of());
            Member wrong = fixture.add(ClusterFixture.freePorts(1)[0], builder -> builder.clusterSecret("another-secret-9876543210"),
                    "127.0.0.1:" + a.port());
            assertThat(wrong.cluster().hazelcastInstance().getCluster().getMembers()).hasSize(3);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(a.cluster().stats().untrustedMembers()).isEqualTo(1);
                assertThat(wrong.cluster().stats().untrustedMembers()).isEqualTo(2);
            });
            assertThat(wrong.cluster().nodes()).hasSize(1);
            assertThat(a.cluster().nodes()).hasSize(2);
            assertThat(join(wrong.cluster().messenger().sendText(Target.user("bob"), "from the wrong secret"))).isEqualTo(Delivery.NOBODY);
            assertThat(join(wrong.cluster().messenger().sendText(Target.session(bob.id()), "to bob's session"))).isEqualTo(Delivery.NOBODY);
            assertThat(join(wrong.cluster().messenger().sendText(Target.all(), "to all"))).isEqualTo(Delivery.NOBODY);
            assertThat(join(a.cluster().messenger().sendText(Target.user("bob"), "marker"))).isEqualTo(new Delivery(1, 1));
            await().atMost(WAIT).untilAsserted(() -> assertThat(b.server().texts(bob.id())).containsExactly("marker"));
            assertThat(a.cluster().stats().messagesRejected() + b.cluster().stats().messagesRejected()).isPositive();
        }
    }
}
