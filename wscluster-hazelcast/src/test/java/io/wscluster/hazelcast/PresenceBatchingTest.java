package io.wscluster.hazelcast;

import io.wscluster.Delivery;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.hazelcast.testkit.ClusterFixture.Member;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 12, connect cost: a node announces the opens and closes of its users' sessions to the
 * others in batches, one batch in flight per node. Under concurrent opens the batches carry several
 * announcements, yet every open still returns only once the other nodes route to it (the presence
 * barrier), and a user's opens and closes are applied in order. Real members over loopback.
 */
class PresenceBatchingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int THREADS = 32;

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8) + "-";
    }

    private static Delivery send(Member from, String user, String text) throws Exception {
        return from.cluster().messenger().sendText(Target.user(user), text).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void concurrentOpens_shareAnnouncements_andEachIsReachableFromTheOtherNodeWhenItsOpenReturns() throws Exception {
        int opens = 400;
        try (ClusterFixture two = ClusterFixture.start(2)) {
            Member a = two.get(0);
            Member b = two.get(1);
            await().atMost(WAIT).untilAsserted(() -> assertThat(b.cluster().nodes()).hasSize(2));
            String prefix = unique("storm");
            long outBefore = b.cluster().stats().envelopesOut();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<Delivery>> sent = new ArrayList<>();
            try {
                for (int i = 0; i < opens; i++) {
                    String user = prefix + i;
                    sent.add(pool.submit(() -> {
                        b.host().open("/chat", user, Map.of());
                        // the open returned: a routes to it without waiting for presence to spread
                        return send(a, user, "hi");
                    }));
                }
                for (int i = 0; i < opens; i++) {
                    assertThat(sent.get(i).get(60, TimeUnit.SECONDS)).as("user %d, sent right after its open", i)
                            .isEqualTo(new Delivery(1, 1));
                }
            } finally {
                pool.shutdownNow();
            }
            // user messages need no reply (a counts from its copy): b sent only its announcements, one per open unbatched
            long announcements = b.cluster().stats().envelopesOut() - outBefore;
            assertThat(announcements).as("announcement envelopes for %d concurrent opens", opens)
                    .isPositive().isLessThan(opens);
        }
    }

    @Test
    void concurrentOpensAndClosesOfTheSameUsers_endWithTheRoutesOfTheSessionsLeftOpen() throws Exception {
        int users = 40;
        int rounds = 10;
        try (ClusterFixture two = ClusterFixture.start(2)) {
            Member a = two.get(0);
            Member b = two.get(1);
            await().atMost(WAIT).untilAsserted(() -> assertThat(b.cluster().nodes()).hasSize(2));
            String prefix = unique("churn");
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<SessionInfo>> last = new ArrayList<>();
            try {
                for (int u = 0; u < users; u++) {
                    String user = prefix + u;
                    boolean keepLast = u % 2 == 0;
                    last.add(pool.submit(() -> {
                        SessionInfo open = null;
                        for (int r = 0; r < rounds; r++) {
                            open = b.host().open("/chat", user, Map.of());
                            if (r < rounds - 1 || !keepLast) {
                                b.host().closed(open.id());
                            }
                        }
                        return open;
                    }));
                }
                for (Future<SessionInfo> f : last) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            for (int u = 0; u < users; u++) {
                String user = prefix + u;
                if (u % 2 == 0) {
                    assertThat(send(a, user, "still here")).as("user %s kept its last session", user).isEqualTo(new Delivery(1, 1));
                } else {
                    // a close is not awaited; once applied, no stale announcement may keep b routed
                    await().atMost(WAIT).until(() -> send(a, user, "gone").equals(Delivery.NOBODY));
                }
            }
            assertThat(b.cluster().registry().isOnline(prefix + 1)).isFalse();
            assertThat(b.cluster().registry().isOnline(prefix + 0)).isTrue();
        }
    }

    @Test
    void opensDuringTheCrashOfAThirdNode_returnAndStayReachable() throws Exception {
        try (ClusterFixture three = ClusterFixture.start(3)) {
            Member a = three.get(0);
            Member b = three.get(1);
            Member c = three.get(2);
            await().atMost(WAIT).untilAsserted(() -> assertThat(b.cluster().nodes()).hasSize(3));
            String prefix = unique("crash");
            int opens = 200;
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<Delivery>> sent = new ArrayList<>();
            try {
                for (int i = 0; i < opens; i++) {
                    String user = prefix + i;
                    if (i == opens / 4) {
                        pool.submit(c.cluster()::crash);
                    }
                    sent.add(pool.submit(() -> {
                        b.host().open("/chat", user, Map.of());
                        return send(a, user, "hi");
                    }));
                }
                for (int i = 0; i < opens; i++) {
                    assertThat(sent.get(i).get(120, TimeUnit.SECONDS)).as("user %d", i).isEqualTo(new Delivery(1, 1));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
