package io.wscluster.testkit;

import io.wscluster.Cluster;
import io.wscluster.Delivery;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.event.NodeLeft;
import io.wscluster.event.SessionClosed;
import io.wscluster.event.UserOffline;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract every {@link Cluster} keeps when nodes go: a node that dies has its sessions vanish
 * from registry, rooms, presence and routing within the backend's failure timeout, with the events
 * that say so; a node that leaves on purpose takes its sessions with it. Each test starts its own
 * nodes through {@link #startNodes(int)}.
 */
public abstract class NodeLossContractKit {

    /**
     * Starts connected nodes of the backend under test, each with a {@link RecordingDelivery} attached.
     *
     * @param count how many nodes
     * @return the nodes; the test closes them
     */
    protected abstract ClusterNodes startNodes(int count);

    private static void awaitMembers(ClusterNodes fixture, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.nodes().stream()
                .allMatch(m -> m.cluster().nodes().size() == count));
    }

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    @Test
    void crash_oneMember_removesItsSessionsEverywhereWithinTheFailureTimeout() throws Exception {
        try (ClusterNodes fixture = startNodes(3)) {
            awaitMembers(fixture, 3);
            TestNode a = fixture.get(0);
            TestNode b = fixture.get(1);
            TestNode c = fixture.get(2);
            SessionInfo alice = a.host().open("/chat", "alice", Map.of());
            SessionInfo carol = c.host().open("/chat", "carol", Map.of());
            SessionInfo daveOnA = a.host().open("/chat", "dave", Map.of());
            SessionInfo daveOnC = c.host().open("/chat", "dave", Map.of());
            for (SessionInfo s : List.of(alice, carol, daveOnA, daveOnC)) {
                join(b.cluster().rooms().join(s.id(), "lobby"));
            }
            List<Object> seenOnB = new CopyOnWriteArrayList<>();
            b.cluster().events().onSessionClosed(seenOnB::add);
            b.cluster().events().onUserOffline(seenOnB::add);
            b.cluster().events().onNodeLeft(seenOnB::add);
            assertThat(b.cluster().registry().usersInRoom("lobby")).containsExactly("alice", "carol", "dave");

            long crashedAt = System.nanoTime();
            fixture.crash(c);

            for (TestNode survivor : List.of(a, b)) {
                await().atMost(fixture.failureTimeout()).untilAsserted(() -> {
                    assertThat(survivor.cluster().registry().usersInRoom("lobby")).containsExactly("alice", "dave");
                    assertThat(survivor.cluster().registry().session(carol.id())).isEmpty();
                    assertThat(survivor.cluster().registry().isOnline("carol")).isFalse();
                    assertThat(survivor.cluster().registry().sessionsOfUser("dave")).extracting(SessionInfo::id)
                            .containsExactly(daveOnA.id());
                    assertThat(survivor.cluster().registry().clusterCount()).isEqualTo(2);
                    assertThat(survivor.cluster().nodes()).hasSize(2);
                });
            }
            long cleanedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashedAt);
            assertThat(join(b.cluster().messenger().sendText(Target.room("lobby"), "still here")))
                    .isEqualTo(new Delivery(2, 1));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(seenOnB).filteredOn(e -> e instanceof SessionClosed).extracting(e -> ((SessionClosed) e).nodeLost())
                        .containsExactly(true, true);
                assertThat(seenOnB).filteredOn(e -> e instanceof UserOffline).containsExactly(new UserOffline("carol", carol.id()));
                assertThat(seenOnB).filteredOn(e -> e instanceof NodeLeft).extracting(e -> ((NodeLeft) e).lost()).containsExactly(true);
            });
            System.out.printf("cleanup after crash took %d ms (bound %d ms)%n", cleanedMillis, fixture.failureTimeout().toMillis());
        }
    }

    @Test
    void crash_twoOfFourAtOnce_survivorsKeepExactlyTheirOwnSessions() throws Exception {
        try (ClusterNodes fixture = startNodes(4)) {
            awaitMembers(fixture, 4);
            List<SessionInfo> survivorsSessions = new ArrayList<>();
            for (int n = 0; n < 4; n++) {
                TestNode m = fixture.get(n);
                for (int i = 0; i < 25; i++) {
                    SessionInfo s = m.host().open("/chat", "user" + n + "x" + i, Map.of());
                    join(m.cluster().rooms().join(s.id(), "room" + (i % 5)));
                    if (n < 2) {
                        survivorsSessions.add(s);
                    }
                }
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> killers = new ArrayList<>();
            for (int n = 2; n < 4; n++) {
                TestNode victim = fixture.get(n);
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    fixture.crash(victim);
                });
                t.start();
                killers.add(t);
            }
            long crashedAt = System.nanoTime();
            go.countDown();
            for (Thread t : killers) {
                t.join();
            }

            TestNode a = fixture.get(0);
            await().atMost(fixture.failureTimeout()).untilAsserted(() -> {
                assertThat(a.cluster().registry().clusterCount()).isEqualTo(50);
                for (int r = 0; r < 5; r++) {
                    assertThat(a.cluster().registry().usersInRoom("room" + r)).hasSize(10)
                            .allMatch(u -> u.startsWith("user0") || u.startsWith("user1"));
                }
                assertThat(a.cluster().nodes()).hasSize(2);
            });
            for (SessionInfo s : survivorsSessions) {
                assertThat(fixture.get(1).cluster().registry().session(s.id())).as("survivor session %s", s.id()).isPresent();
            }
            long cleanedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashedAt);
            Delivery delivery = join(a.cluster().messenger().sendText(Target.room("room0"), "x"));
            assertThat(delivery).isEqualTo(new Delivery(10, 2));
            System.out.printf("cleanup after two crashes took %d ms (bound %d ms)%n", cleanedMillis, fixture.failureTimeout().toMillis());
        }
    }

    @Test
    void close_oneNode_removesItsSessionsEverywhere_andItsEventsSayItLeftOnPurpose() throws Exception {
        try (ClusterNodes fixture = startNodes(2)) {
            awaitMembers(fixture, 2);
            TestNode a = fixture.get(0);
            TestNode b = fixture.get(1);
            SessionInfo erin = b.host().open("/chat", "erin", Map.of());
            SessionInfo fay = a.host().open("/chat", "fay", Map.of());
            join(a.cluster().rooms().join(erin.id(), "hall"));
            join(a.cluster().rooms().join(fay.id(), "hall"));
            List<Object> seenOnA = new CopyOnWriteArrayList<>();
            a.cluster().events().onSessionClosed(seenOnA::add);
            a.cluster().events().onUserOffline(seenOnA::add);
            a.cluster().events().onNodeLeft(seenOnA::add);

            b.cluster().close();

            assertThat(a.cluster().registry().session(erin.id())).isEmpty();
            assertThat(a.cluster().registry().isOnline("erin")).isFalse();
            assertThat(a.cluster().registry().usersInRoom("hall")).containsExactly("fay");
            assertThat(join(a.cluster().messenger().sendText(Target.room("hall"), "who is left"))).isEqualTo(new Delivery(1, 1));
            await().atMost(fixture.failureTimeout()).untilAsserted(() -> {
                assertThat(a.cluster().nodes()).hasSize(1);
                assertThat(seenOnA).filteredOn(e -> e instanceof SessionClosed).extracting(e -> ((SessionClosed) e).session().id())
                        .containsExactly(erin.id());
                assertThat(seenOnA).filteredOn(e -> e instanceof SessionClosed).extracting(e -> ((SessionClosed) e).nodeLost())
                        .containsExactly(false);
                assertThat(seenOnA).filteredOn(e -> e instanceof UserOffline).containsExactly(new UserOffline("erin", erin.id()));
                assertThat(seenOnA).filteredOn(e -> e instanceof NodeLeft).extracting(e -> ((NodeLeft) e).lost()).containsExactly(false);
            });
            assertThat(join(a.cluster().messenger().sendText(Target.session(erin.id()), "gone"))).isEqualTo(Delivery.NOBODY);
        }
    }
}
