package io.wscluster.testkit;

import io.wscluster.CloseCode;
import io.wscluster.Cluster;
import io.wscluster.ClusterStats;
import io.wscluster.Delivery;
import io.wscluster.Message;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.event.SessionClosed;
import io.wscluster.event.SessionOpened;
import io.wscluster.event.UserOffline;
import io.wscluster.event.UserOnline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The contract every {@link Cluster} implementation keeps, across three connected nodes A, B and C:
 * registry, rooms, messaging, disconnect, events and presence, the session host, the stats counters.
 *
 * <p>A backend's test extends this class and starts its nodes (Micrometer's
 * {@code MeterRegistryCompatibilityKit} is the model):
 * <pre>{@code
 * class InMemoryClusterTest extends ClusterContractKit {
 *     @Override
 *     protected ClusterNodes startNodes(int count) {
 *         return InMemoryNetwork.startNodes(count);
 *     }
 * }
 * }</pre>
 * The three nodes live for the whole class; every test uses its own users, rooms and sessions.
 * Conditions that an asynchronous backend reaches later are polled (Awaitility); what the API
 * promises on completion of a call is asserted at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ClusterContractKit {

    private ClusterNodes nodes;
    private TestNode a;
    private TestNode b;
    private TestNode c;

    /**
     * Starts connected nodes of the backend under test, each with a {@link RecordingDelivery} attached.
     *
     * @param count how many nodes
     * @return the nodes; closed by the kit
     */
    protected abstract ClusterNodes startNodes(int count);

    /**
     * @param index 0 for A, 1 for B, 2 for C
     * @return that node, for a backend's own tests in its subclass
     */
    protected TestNode node(int index) {
        return nodes.get(index);
    }

    @BeforeAll
    void startCluster() {
        nodes = startNodes(3);
        a = nodes.get(0);
        b = nodes.get(1);
        c = nodes.get(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.cluster().nodes().size() == 3
                && b.cluster().nodes().size() == 3 && c.cluster().nodes().size() == 3);
    }

    @AfterAll
    void stopCluster() {
        if (nodes != null) {
            nodes.close();
        }
    }

    /**
     * @param prefix the start of the name
     * @return a name no other test uses
     */
    protected static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Waits for a stage of the cluster API.
     *
     * @param stage the stage
     * @param <T>   its result type
     * @return its result
     * @throws Exception if it failed or took over 15 s
     */
    protected static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    /**
     * Waits until {@code observer}'s listeners have had every session and user event that A, B and C
     * published before this call: each node publishes one more open afterwards, and the events topic
     * keeps each publisher's order. So an event that should not exist would have arrived by then.
     */
    private void awaitEarlierEventsDelivered(Cluster observer) {
        String marker = unique("marker");
        List<SessionId> seen = new CopyOnWriteArrayList<>();
        var subscription = observer.events().onSessionOpened(e -> {
            if (e.session().user().orElse("").equals(marker)) {
                seen.add(e.session().id());
            }
        });
        List<TestNode> members = List.of(a, b, c);
        List<SessionInfo> markers = new ArrayList<>();
        try {
            for (TestNode m : members) {
                markers.add(m.host().open("/chat", marker, Map.of()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == members.size());
        } finally {
            subscription.close();
            for (int i = 0; i < markers.size(); i++) {
                members.get(i).host().closed(markers.get(i).id());
            }
        }
    }

    @Test
    void open_onNodeA_isVisibleOnNodeC() {
        String user = unique("u");
        SessionInfo opened = a.host().open("/chat", user, Map.of("lang", "en"));

        assertThat(opened.node()).isEqualTo(a.cluster().localNode());
        SessionInfo seen = c.cluster().registry().session(opened.id()).orElseThrow();
        assertThat(seen.user()).contains(user);
        assertThat(seen.path()).isEqualTo("/chat");
        assertThat(seen.attributes()).containsEntry("lang", "en");
        assertThat(c.cluster().registry().sessionsOfUser(user)).extracting(SessionInfo::id).containsExactly(opened.id());
        assertThat(c.cluster().registry().isOnline(user)).isTrue();
        assertThat(a.cluster().registry().localSessions()).extracting(SessionInfo::id).contains(opened.id());
        assertThat(c.cluster().registry().localSessions()).extracting(SessionInfo::id).doesNotContain(opened.id());

        assertThat(a.host().closed(opened.id())).isTrue();
        assertThat(a.host().closed(opened.id())).isFalse();
        assertThat(c.cluster().registry().session(opened.id())).isEmpty();
        assertThat(c.cluster().registry().isOnline(user)).isFalse();
    }

    @Test
    void counts_localAndCluster_addUp() {
        int before = b.cluster().registry().clusterCount();
        int localBefore = c.cluster().registry().localCount();
        SessionInfo one = a.host().open("/chat", null, Map.of());
        SessionInfo two = c.host().open("/chat", null, Map.of());

        assertThat(b.cluster().registry().clusterCount()).isEqualTo(before + 2);
        assertThat(c.cluster().registry().localCount()).isEqualTo(localBefore + 1);
        a.host().closed(one.id());
        c.host().closed(two.id());
        assertThat(b.cluster().registry().clusterCount()).isEqualTo(before);
    }

    @Test
    void join_remoteSession_isVisibleEverywhereWhenComplete() throws Exception {
        String room = unique("room-");
        SessionInfo alice = a.host().open("/chat", "alice", Map.of());
        SessionInfo bob = c.host().open("/chat", "bob", Map.of());

        assertThat(join(b.cluster().rooms().join(alice.id(), room))).isTrue();
        assertThat(join(b.cluster().rooms().join(bob.id(), room))).isTrue();
        assertThat(join(b.cluster().rooms().join(bob.id(), room))).isTrue();

        for (TestNode m : List.of(a, b, c)) {
            assertThat(m.cluster().registry().usersInRoom(room)).containsExactly("alice", "bob");
            assertThat(m.cluster().registry().sessionsInRoom(room)).extracting(SessionInfo::id)
                    .containsExactlyInAnyOrder(alice.id(), bob.id());
        }
        assertThat(b.cluster().registry().session(bob.id()).orElseThrow().rooms()).containsExactly(room);

        assertThat(join(a.cluster().rooms().leave(bob.id(), room))).isTrue();
        assertThat(join(a.cluster().rooms().leave(bob.id(), room))).isTrue();
        assertThat(b.cluster().registry().usersInRoom(room)).containsExactly("alice");
        assertThat(a.cluster().registry().session(bob.id()).orElseThrow().rooms()).isEmpty();

        a.host().closed(alice.id());
        c.host().closed(bob.id());
        assertThat(b.cluster().registry().usersInRoom(room)).isEmpty();
    }

    @Test
    void join_whenComplete_routesFromEveryNodeAtOnce() throws Exception {
        SessionInfo member = c.host().open("/chat", null, Map.of());
        for (int i = 0; i < 200; i++) {
            String room = unique("fresh-");
            assertThat(join(c.cluster().rooms().join(member.id(), room))).isTrue();
            Delivery fromA = join(a.cluster().messenger().sendText(Target.room(room), "x" + i));
            Delivery fromB = join(b.cluster().messenger().sendText(Target.room(room), "y" + i));
            assertThat(fromA).as("send from A right after join %d", i).isEqualTo(new Delivery(1, 1));
            assertThat(fromB).as("send from B right after join %d", i).isEqualTo(new Delivery(1, 1));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> c.server().texts(member.id()).size() == 400);
        c.host().closed(member.id());
    }

    @Test
    void join_unknownSession_completesFalse() throws Exception {
        SessionId ghost = SessionId.of(c.cluster().localNode(), 999_999);
        assertThat(join(a.cluster().rooms().join(ghost, "lobby"))).isFalse();
        SessionId deadNode = SessionId.parse("zzzzzzzz-1");
        assertThat(join(a.cluster().rooms().join(deadNode, "lobby"))).isFalse();
    }

    @Test
    void join_invalidRoom_throwsNamingTheRule() {
        SessionInfo s = a.host().open("/chat", null, Map.of());
        assertThatThrownBy(() -> a.cluster().rooms().join(s.id(), "bad room"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("room 'bad room' is invalid: it must be 1..128 characters of [A-Za-z0-9_.:-]");
        a.host().closed(s.id());
    }

    @Test
    void send_toRemoteSession_reachesOwnerOnly() throws Exception {
        SessionInfo target = c.host().open("/chat", null, Map.of());

        Delivery delivery = join(a.cluster().messenger().sendText(Target.session(target.id()), "hello"));

        assertThat(delivery).isEqualTo(new Delivery(1, 1));
        assertThat(c.server().texts(target.id())).containsExactly("hello");
        c.host().closed(target.id());
        assertThat(join(a.cluster().messenger().sendText(Target.session(target.id()), "late"))).isEqualTo(Delivery.NOBODY);
    }

    @Test
    void send_toUser_reachesEverySessionOnEveryNode() throws Exception {
        String user = unique("u");
        SessionInfo onA = a.host().open("/chat", user, Map.of());
        SessionInfo onC = c.host().open("/chat", user, Map.of());
        SessionInfo onC2 = c.host().open("/chat", user, Map.of());

        Delivery delivery = join(b.cluster().messenger().sendText(Target.user(user), "ping"));

        assertThat(delivery).isEqualTo(new Delivery(3, 2));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(a.server().texts(onA.id())).containsExactly("ping");
            assertThat(c.server().texts(onC.id())).containsExactly("ping");
            assertThat(c.server().texts(onC2.id())).containsExactly("ping");
        });

        Delivery excluding = join(c.cluster().messenger().sendText(Target.user(user).excluding(onC.id()), "again"));
        assertThat(excluding).isEqualTo(new Delivery(2, 2));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(a.server().texts(onA.id())).containsExactly("ping", "again"));
        assertThat(c.server().texts(onC2.id())).containsExactly("ping", "again");
        assertThat(c.server().texts(onC.id())).containsExactly("ping");

        for (SessionInfo s : List.of(onC, onC2)) {
            c.host().closed(s.id());
        }
        a.host().closed(onA.id());
    }

    @Test
    void send_toOfflineUser_isNobodyNotAnError() throws Exception {
        assertThat(join(a.cluster().messenger().sendText(Target.user(unique("nobody")), "x"))).isEqualTo(Delivery.NOBODY);
        assertThat(join(a.cluster().messenger().sendText(Target.room(unique("empty")), "x")).reachedAnyone()).isFalse();
    }

    @Test
    void send_toRoom_reachesMembersOnlyAndExcludesSender() throws Exception {
        String room = unique("r");
        SessionInfo sender = a.host().open("/chat", "s", Map.of());
        SessionInfo member = c.host().open("/chat", "m", Map.of());
        SessionInfo outsider = b.host().open("/chat", "o", Map.of());
        join(a.cluster().rooms().join(sender.id(), room));
        join(c.cluster().rooms().join(member.id(), room));

        Delivery all = join(a.cluster().messenger().send(Target.room(room), Message.binary(new byte[] {1, 2, 3})));
        Delivery others = join(a.cluster().messenger().sendText(Target.room(room).excluding(sender.id()), "only-others"));

        assertThat(all).isEqualTo(new Delivery(2, 2));
        assertThat(others).isEqualTo(new Delivery(1, 1));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(c.server().texts(member.id())).containsExactly("<binary 3>", "only-others"));
        assertThat(a.server().texts(sender.id())).containsExactly("<binary 3>");
        // B has no member, so nothing reached it but a control sent after the room messages (same publisher, so later)
        join(a.cluster().messenger().sendText(Target.session(outsider.id()), "control"));
        assertThat(b.server().texts(outsider.id())).containsExactly("control");
        a.host().closed(sender.id());
        b.host().closed(outsider.id());
        c.host().closed(member.id());
    }

    @Test
    void send_manyFromOneSender_arriveInOrderAtEveryReceiver() throws Exception {
        String room = unique("ordered");
        SessionInfo sender = a.host().open("/chat", null, Map.of());
        SessionInfo r1 = b.host().open("/chat", null, Map.of());
        SessionInfo r2 = c.host().open("/chat", null, Map.of());
        SessionInfo r3 = a.host().open("/chat", null, Map.of());
        for (SessionInfo s : List.of(r1, r2, r3)) {
            join(a.cluster().rooms().join(s.id(), room));
        }
        int count = 2_000;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(Integer.toString(i));
            a.cluster().messenger().sendText(Target.room(room).excluding(sender.id()), Integer.toString(i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> b.server().texts(r1.id()).size() == count
                && c.server().texts(r2.id()).size() == count);
        assertThat(b.server().texts(r1.id())).containsExactlyElementsOf(expected);
        assertThat(c.server().texts(r2.id())).containsExactlyElementsOf(expected);
        assertThat(a.server().texts(r3.id())).containsExactlyElementsOf(expected);
        for (SessionInfo s : List.of(sender, r3)) {
            a.host().closed(s.id());
        }
        b.host().closed(r1.id());
        c.host().closed(r2.id());
    }

    @Test
    void send_toEndpointAndAll_countsEveryNode() throws Exception {
        String path = "/" + unique("feed");
        SessionInfo onA = a.host().open(path, null, Map.of());
        SessionInfo onB = b.host().open(path, null, Map.of());
        SessionInfo other = c.host().open("/other", null, Map.of());

        Delivery toPath = join(c.cluster().messenger().sendText(Target.endpoint(path), "tick"));
        assertThat(toPath).isEqualTo(new Delivery(2, 2));
        assertThat(a.server().texts(onA.id())).containsExactly("tick");
        assertThat(b.server().texts(onB.id())).containsExactly("tick");
        assertThat(c.server().texts(other.id())).isEmpty();

        int everyone = a.cluster().registry().clusterCount();
        Delivery toAll = join(c.cluster().messenger().sendText(Target.all().excluding(other.id()), "all"));
        assertThat(toAll.sessions()).isEqualTo(everyone - 1);
        assertThat(b.server().texts(onB.id())).containsExactly("tick", "all");
        assertThat(c.server().texts(other.id())).isEmpty();
        a.host().closed(onA.id());
        b.host().closed(onB.id());
        c.host().closed(other.id());
    }

    @Test
    void stats_countSendsRoutingAndDeliveriesOnBothSides() throws Exception {
        String user = unique("st");
        SessionInfo onB = b.host().open("/chat", null, Map.of());
        SessionInfo onA = a.host().open("/chat", user, Map.of());
        ClusterStats aBefore = a.cluster().stats();
        ClusterStats bBefore = b.cluster().stats();

        for (int i = 0; i < 10; i++) {
            join(a.cluster().messenger().sendText(Target.session(onB.id()), "hi"));
        }
        join(a.cluster().messenger().sendText(Target.user(user), "self"));

        ClusterStats aAfter = a.cluster().stats();
        assertThat(aAfter.messagesSent() - aBefore.messagesSent()).isEqualTo(11);
        assertThat(aAfter.localDeliveries() - aBefore.localDeliveries()).isEqualTo(1);
        assertThat(aAfter.envelopesOut() - aBefore.envelopesOut()).isGreaterThanOrEqualTo(10);
        assertThat(aAfter.bytesOut()).isGreaterThan(aBefore.bytesOut());
        assertThat(aAfter.routingNanos()).isGreaterThan(aBefore.routingNanos());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            ClusterStats bAfter = b.cluster().stats();
            assertThat(bAfter.envelopesIn() - bBefore.envelopesIn()).isGreaterThanOrEqualTo(10);
            assertThat(bAfter.bytesIn()).isGreaterThan(bBefore.bytesIn());
            assertThat(bAfter.localDeliveries() - bBefore.localDeliveries()).isEqualTo(10);
        });
        a.host().closed(onA.id());
        b.host().closed(onB.id());
    }

    @Test
    void disconnect_remoteSession_isClosedByItsOwner() throws Exception {
        SessionInfo victim = c.host().open("/chat", null, Map.of());

        assertThat(join(a.cluster().disconnect(victim.id(), CloseCode.of(4000, "kicked")))).isTrue();

        assertThat(c.server().closeOf(victim.id())).isEqualTo(new CloseCode(4000, "kicked"));
        c.host().closed(victim.id());
        assertThat(join(a.cluster().disconnect(victim.id(), CloseCode.of(4000, "again")))).isFalse();
    }

    @Test
    void events_sessionAndPresence_reachEveryNode() {
        String user = unique("ev");
        List<Object> seenOnB = new CopyOnWriteArrayList<>();
        Cluster observer = b.cluster();
        var s1 = observer.events().onSessionOpened(e -> { if (e.session().user().orElse("").equals(user)) seenOnB.add(e); });
        var s2 = observer.events().onSessionClosed(e -> { if (e.session().user().orElse("").equals(user)) seenOnB.add(e); });
        var s3 = observer.events().onUserOnline(e -> { if (e.user().equals(user)) seenOnB.add(e); });
        var s4 = observer.events().onUserOffline(e -> { if (e.user().equals(user)) seenOnB.add(e); });
        try {
            SessionInfo first = a.host().open("/chat", user, Map.of());
            SessionInfo second = c.host().open("/chat", user, Map.of());
            a.host().closed(first.id());
            c.host().closed(second.id());

            await().atMost(Duration.ofSeconds(10)).until(() -> seenOnB.size() == 6);
            awaitEarlierEventsDelivered(observer);
            assertThat(seenOnB).hasSize(6);
            assertThat(seenOnB).filteredOn(e -> e instanceof UserOnline).hasSize(1);
            assertThat(seenOnB).filteredOn(e -> e instanceof UserOffline).hasSize(1)
                    .first().isEqualTo(new UserOffline(user, second.id()));
            assertThat(seenOnB).filteredOn(e -> e instanceof SessionOpened).hasSize(2);
            assertThat(seenOnB).filteredOn(e -> e instanceof SessionClosed).extracting(e -> ((SessionClosed) e).nodeLost())
                    .containsExactly(false, false);
        } finally {
            for (var s : List.of(s1, s2, s3, s4)) {
                s.close();
            }
        }
    }

    @Test
    void events_listenerAddedAgainAfterTheLastWasClosed_seesNewEvents() {
        // a node subscribes to the cluster's session events only while it has listeners for them
        String user = unique("resub");
        List<SessionOpened> seen = new CopyOnWriteArrayList<>();
        var first = b.cluster().events().onSessionOpened(e -> { if (e.session().user().orElse("").equals(user)) seen.add(e); });
        SessionInfo one = a.host().open("/chat", user, Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
        first.close();

        var again = b.cluster().events().onSessionOpened(e -> { if (e.session().user().orElse("").equals(user)) seen.add(e); });
        try {
            SessionInfo three = c.host().open("/chat", user, Map.of());
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream().anyMatch(e -> e.session().id().equals(three.id())));
            assertThat(seen).extracting(e -> e.session().id()).contains(one.id(), three.id());
            c.host().closed(three.id());
        } finally {
            again.close();
            a.host().closed(one.id());
        }
    }

    @Test
    void open_withDrawnId_registersUnderThatId_andRefusesForeignOrReusedIds() {
        SessionId drawn = a.host().newId();
        assertThat(a.cluster().registry().session(drawn)).isEmpty();
        SessionInfo opened = a.host().open(drawn, "/chat", "zed", Map.of());
        assertThat(opened.id()).isEqualTo(drawn);
        assertThat(c.cluster().registry().session(drawn)).isPresent();
        assertThatThrownBy(() -> a.host().open(drawn, "/chat", null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("session id '" + drawn + "' is already registered");
        SessionId foreign = c.host().newId();
        assertThatThrownBy(() -> a.host().open(foreign, "/chat", null, Map.of()))
                .hasMessage("session id '" + foreign + "' is not owned by node '" + a.cluster().localNode() + "'");
        a.host().closed(drawn);
    }

    @Test
    void presence_racingOpensAndClosesOnThreeNodes_giveExactlyOneOnlineAndOneOffline() throws Exception {
        String user = unique("race");
        List<Object> seen = new CopyOnWriteArrayList<>();
        var online = a.cluster().events().onUserOnline(e -> { if (e.user().equals(user)) seen.add(e); });
        var offline = a.cluster().events().onUserOffline(e -> { if (e.user().equals(user)) seen.add(e); });
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<TestNode> members = List.of(a, b, c);
            List<java.util.concurrent.Future<SessionInfo>> opened = new ArrayList<>();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
            for (int i = 0; i < 12; i++) {
                TestNode m = members.get(i % 3);
                opened.add(pool.submit(() -> {
                    go.await();
                    return m.host().open("/chat", user, Map.of());
                }));
            }
            go.countDown();
            List<SessionInfo> sessions = new ArrayList<>();
            for (var f : opened) {
                sessions.add(f.get(20, TimeUnit.SECONDS));
            }
            assertThat(b.cluster().registry().sessionsOfUser(user)).hasSize(12);

            java.util.concurrent.CountDownLatch close = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Boolean>> closed = new ArrayList<>();
            for (SessionInfo s : sessions) {
                TestNode owner = members.stream().filter(m -> m.cluster().localNode().equals(s.node())).findFirst().orElseThrow();
                closed.add(pool.submit(() -> {
                    close.await();
                    return owner.host().closed(s.id());
                }));
            }
            close.countDown();
            for (var f : closed) {
                assertThat(f.get(20, TimeUnit.SECONDS)).isTrue();
            }
            pool.shutdown();

            assertThat(c.cluster().registry().isOnline(user)).isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() >= 2);
            awaitEarlierEventsDelivered(a.cluster());
            assertThat(seen).hasSize(2);
            assertThat(seen.get(0)).isInstanceOf(UserOnline.class);
            assertThat(seen.get(1)).isInstanceOf(UserOffline.class);
        } finally {
            online.close();
            offline.close();
        }
    }

    @Test
    void attachServer_twice_isRefused() {
        assertThatThrownBy(() -> a.cluster().attachServer(new RecordingDelivery()))
                .isInstanceOf(io.wscluster.ClusterException.class)
                .hasMessageContaining("already has a server attached");
    }
}
