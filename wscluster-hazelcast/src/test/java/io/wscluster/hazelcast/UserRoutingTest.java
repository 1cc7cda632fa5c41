package io.wscluster.hazelcast;

import com.hazelcast.map.IMap;
import io.wscluster.Delivery;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.hazelcast.testkit.ClusterFixture.Member;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 12, direct messages: a user message is routed by the sending node's own copy of presence,
 * with no presence read per message; it still reaches a session that opened on another node the
 * moment the open returned, a user who moved, and stops counting a node that was lost. Three real
 * members over loopback.
 */
class UserRoutingTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static ClusterFixture fixture;
    private static Member a;
    private static Member b;
    private static Member c;

    @BeforeAll
    static void startNodes() {
        fixture = ClusterFixture.start(3);
        a = fixture.get(0);
        b = fixture.get(1);
        c = fixture.get(2);
        await().atMost(WAIT).untilAsserted(() -> {
            for (Member m : fixture.members()) {
                assertThat(m.cluster().nodes()).hasSize(3);
            }
        });
    }

    @AfterAll
    static void stopNodes() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static <T> T join(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Presence reads on every member, as Hazelcast counts them where the entries live. */
    private static long presenceReads() {
        long gets = 0;
        for (Member m : fixture.members()) {
            IMap<Object, Object> users = m.cluster().hazelcastInstance().getMap("wsc.users");
            gets += users.getLocalMapStats().getGetOperationCount();
        }
        return gets;
    }

    @Test
    void sendToUser_manyMessages_readNoPresencePerMessageAndArriveInOrder() throws Exception {
        String user = unique("direct");
        SessionInfo onB = b.host().open("/chat", user, Map.of());
        long readsBefore = presenceReads();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String text = "m" + i;
            sent.add(text);
            assertThat(join(a.cluster().messenger().sendText(Target.user(user), text))).isEqualTo(new Delivery(1, 1));
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(b.server().texts(onB.id())).containsExactlyElementsOf(sent));
        assertThat(presenceReads() - readsBefore).as("presence reads for 300 user messages").isLessThan(30);
        b.host().closed(onB.id());
    }

    @Test
    void sendToUser_rightAfterOpenOnAnotherNode_andAfterAMove_reachesTheOpenSession() throws Exception {
        for (int round = 0; round < 20; round++) {
            String user = unique("mover");
            SessionInfo first = b.host().open("/chat", user, Map.of());
            assertThat(join(a.cluster().messenger().sendText(Target.user(user), "to b"))).isEqualTo(new Delivery(1, 1));
            await().atMost(WAIT).untilAsserted(() -> assertThat(b.server().texts(first.id())).containsExactly("to b"));

            b.host().closed(first.id());
            SessionInfo moved = c.host().open("/chat", user, Map.of());
            Delivery afterMove = join(a.cluster().messenger().sendText(Target.user(user), "to c"));

            assertThat(afterMove.reachedAnyone()).as("round %d: the user is online on c", round).isTrue();
            await().atMost(WAIT).untilAsserted(() -> assertThat(c.server().texts(moved.id())).containsExactly("to c"));
            assertThat(b.server().texts(first.id())).containsExactly("to b");
            // once the closed session's node has heard of the close, it is no longer counted
            await().atMost(WAIT).until(() -> join(a.cluster().messenger().sendText(Target.user(user).excluding(moved.id()), "x"))
                    .equals(Delivery.NOBODY));
            c.host().closed(moved.id());
        }
    }

    @Test
    void sendToUser_secondSessionOnANewNode_isCountedAtOnce() throws Exception {
        String user = unique("twice");
        SessionInfo onB = b.host().open("/chat", user, Map.of());
        assertThat(join(a.cluster().messenger().sendText(Target.user(user), "one"))).isEqualTo(new Delivery(1, 1));
        SessionInfo onC = c.host().open("/chat", user, Map.of());
        SessionInfo onA = a.host().open("/chat", user, Map.of());

        assertThat(join(a.cluster().messenger().sendText(Target.user(user), "two"))).isEqualTo(new Delivery(3, 3));
        assertThat(join(b.cluster().messenger().sendText(Target.user(user).excluding(onC.id()), "three")))
                .isEqualTo(new Delivery(2, 2));

        // "two" (sent on a) and "three" (sent on b) come from different senders: the library orders
        // each sender's messages, not one sender's against another's, so only a's are in order.
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(b.server().texts(onB.id())).containsExactlyInAnyOrder("one", "two", "three");
            assertThat(b.server().texts(onB.id())).filteredOn(t -> !t.equals("three")).containsExactly("one", "two");
            assertThat(c.server().texts(onC.id())).containsExactly("two");
            assertThat(a.server().texts(onA.id())).containsExactlyInAnyOrder("two", "three");
        });
        for (SessionInfo s : List.of(onA, onB, onC)) {
            fixture.members().stream().filter(m -> s.id().isOwnedBy(m.cluster().localNode())).findFirst()
                    .orElseThrow().host().closed(s.id());
        }
        await().atMost(WAIT).until(() -> join(a.cluster().messenger().sendText(Target.user(user), "gone")).equals(Delivery.NOBODY));
    }

    @Test
    void sendToUser_afterTheNodeOfOneSessionCrashed_reachesTheOtherAndCountsOnlyIt() throws Exception {
        try (ClusterFixture three = ClusterFixture.start(3)) {
            Member x = three.get(0);
            Member y = three.get(1);
            Member z = three.get(2);
            await().atMost(WAIT).untilAsserted(() -> assertThat(x.cluster().nodes()).hasSize(3));
            String user = unique("survivor");
            SessionInfo onY = y.host().open("/chat", user, Map.of());
            z.host().open("/chat", user, Map.of());
            assertThat(join(x.cluster().messenger().sendText(Target.user(user), "both"))).isEqualTo(new Delivery(2, 2));

            z.cluster().crash();

            await().atMost(WAIT).until(() -> join(x.cluster().messenger().sendText(Target.user(user), "one"))
                    .equals(new Delivery(1, 1)));
            await().atMost(WAIT).untilAsserted(() -> assertThat(y.server().texts(onY.id())).startsWith("both").contains("one"));
        }
    }
}
