package io.wscluster.hazelcast;

import com.hazelcast.core.LifecycleEvent;
import io.wscluster.CloseCode;
import io.wscluster.ClusterException;
import io.wscluster.Delivery;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.hazelcast.testkit.ClusterFixture.Member;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13, the quarantine of a node whose side of a split merges back into the cluster: the others
 * went on without it, so before it acts for any client again it closes its sessions with 1012
 * (service restart), refuses new sessions, sends and reads with {@link ClusterException#unavailable},
 * says why in {@link io.wscluster.Cluster#unavailableReason()}, and once it has re-entered serves
 * again. The healthy side's sessions are never touched.
 *
 * <p>The split is built as in {@link PartitionHealTest}: C forms a cluster alone, A and B another, and
 * C's merge check finds them. What C does while quarantined is looked at by a thread started on C's
 * MERGING event; C's listener of the MERGED event waits for it (Hazelcast calls lifecycle listeners
 * on the thread that runs the merge), so the end of the merge, and with it the end of the quarantine,
 * waits until the observer has looked: the window cannot be missed on a slow machine.
 */
class QuarantineTest {

    /** What C answered while it merged back. */
    private record Observed(String reason, Throwable open, Throwable send, Throwable read, CloseCode closed) {
    }

    private static <T> T join(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    private static Throwable failureOf(Runnable call) {
        try {
            call.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    @Test
    void mergeBack_closesSessionsWith1012_refusesSessionsSendsAndReadsWithUnavailable_thenServesAgain() throws Exception {
        int[] ports = ClusterFixture.freePorts(3);
        String seedA = "127.0.0.1:" + ports[0];
        String seedB = "127.0.0.1:" + ports[1];
        String seedC = "127.0.0.1:" + ports[2];
        try (ClusterFixture fixture = new ClusterFixture()) {
            Member c = fixture.add(ports[2], seedA, seedB, seedC);
            assertThat(c.cluster().nodes()).hasSize(1);
            SessionInfo carol = c.host().open("/chat", "carol", Map.of());
            join(c.cluster().rooms().join(carol.id(), "lobby"));
            assertThat(c.cluster().unavailableReason()).as("a node in service").isEmpty();

            AtomicReference<Observed> observed = new AtomicReference<>();
            AtomicReference<Throwable> observerFailure = new AtomicReference<>();
            Thread observer = new Thread(() -> {
                try {
                    String reason = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                            .until(() -> c.cluster().unavailableReason().orElse(null), r -> r != null);
                    Throwable open = failureOf(() -> c.host().open("/chat", "dave", Map.of()));
                    Throwable send = c.cluster().messenger().sendText(Target.room("lobby"), "while merging")
                            .handle((delivery, error) -> error).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    Throwable read = failureOf(() -> c.cluster().registry().usersInRoom("lobby"));
                    CloseCode closed = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                            .until(() -> c.server().closeOf(carol.id()), code -> code != null);
                    // the server's part: its socket closed, it reports the session gone
                    c.host().closed(carol.id());
                    observed.set(new Observed(reason, open, send, read, closed));
                } catch (Throwable t) {
                    observerFailure.set(t);
                }
            }, "quarantine-observer");
            observer.setDaemon(true);
            c.cluster().hazelcastInstance().getLifecycleService().addLifecycleListener(event -> {
                if (event.getState() == LifecycleEvent.LifecycleState.MERGING && observer.getState() == Thread.State.NEW) {
                    observer.start();
                } else if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                    // holds the end of the merge (and so of the quarantine) until the observer has looked
                    try {
                        observer.join(30_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });

            Member a = fixture.add(ports[0], seedA, seedB);
            Member b = fixture.add(ports[1], seedA, seedB);
            SessionInfo alice = a.host().open("/chat", "alice", Map.of());
            SessionInfo bob = b.host().open("/chat", "bob", Map.of());
            join(a.cluster().rooms().join(alice.id(), "lobby"));
            join(b.cluster().rooms().join(bob.id(), "lobby"));

            await().atMost(Duration.ofSeconds(90)).until(() -> observed.get() != null || observerFailure.get() != null);
            assertThat(observerFailure.get()).as("failure while observing the merging node").isNull();
            Observed seen = observed.get();
            assertThat(seen.reason()).isEqualTo("cut off from the cluster, merging back");
            for (Throwable refusal : List.of(seen.open(), seen.send(), seen.read())) {
                assertThat(refusal).isInstanceOf(ClusterException.class)
                        .hasMessage("Node '" + c.cluster().localNode() + "' is out of the cluster (cut off from the cluster, merging back)"
                                + " and serves no client until it has re-entered it; try again");
            }
            assertThat(seen.closed().code()).as("close code of carol's session on the merging node").isEqualTo(CloseCode.SERVICE_RESTART);

            // back in service: everything works again, and the refused session was never registered
            await().atMost(Duration.ofSeconds(60)).until(() -> c.cluster().unavailableReason().isEmpty());
            SessionInfo carolAgain = c.host().open("/chat", "carol", Map.of());
            join(c.cluster().rooms().join(carolAgain.id(), "lobby"));
            await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(ClusterException.class).untilAsserted(() -> {
                for (Member m : List.of(a, b, c)) {
                    assertThat(m.cluster().nodes()).hasSize(3);
                    assertThat(m.cluster().registry().usersInRoom("lobby")).containsExactly("alice", "bob", "carol");
                    assertThat(m.cluster().registry().isOnline("dave")).isFalse();
                }
            });
            assertThat(c.cluster().registry().sessionsInRoom("lobby")).extracting(SessionInfo::id)
                    .containsExactlyInAnyOrder(alice.id(), bob.id(), carolAgain.id());
            assertThat(join(c.cluster().messenger().sendText(Target.room("lobby"), "back"))).isEqualTo(new Delivery(3, 3));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(a.server().texts(alice.id())).containsExactly("back");
                assertThat(b.server().texts(bob.id())).containsExactly("back");
                assertThat(c.server().texts(carolAgain.id())).containsExactly("back");
            });
            assertThat(c.server().texts(carol.id())).as("the closed session got nothing more").isEmpty();
            assertThat(a.server().closeOf(alice.id())).as("alice on the healthy side").isNull();
            assertThat(b.server().closeOf(bob.id())).as("bob on the healthy side").isNull();
            assertThat(a.cluster().unavailableReason()).isEmpty();
            assertThat(b.cluster().unavailableReason()).isEmpty();
        }
    }
}
