package io.wscluster.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.wscluster.ClusterException;
import io.wscluster.HistorySettings;
import io.wscluster.JoinResult;
import io.wscluster.Message;
import io.wscluster.Position;
import io.wscluster.Replay;
import io.wscluster.SessionId;
import io.wscluster.Target;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.spi.SessionHost;
import io.wscluster.testkit.RecordingDelivery;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
/**
 * The split of {@link PartitionHealTest}, on members started from a user's configuration: the history
 * map's public merge policy, named by its class name as README's "History across a partition" tells
 * users to, restarts a room that both sides numbered.
 */
class HistoryPartitionHealTest {

    /** The history map's merge policy by its public name, as README shows it (Hazelcast YAML). */
    static final String HISTORY_MAP_YAML = """
            hazelcast:
              map:
                wsc.history:
                  merge-policy:
                    class-name: io.wscluster.hazelcast.HistoryMergePolicy
            """;

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    /**
     * Issue 11: C's side got a copy of the room's log before the split (planted, as a split leaves
     * it), then both sides numbered offsets 4 and 5 of the same epoch. After the merge the room holds
     * no message and a resume from offset 3 of the old epoch is refused with a new epoch; Hazelcast's
     * default policy (put if absent) would keep A's log and answer it with recovered:true.
     */
    @Test
    void historyMerge_membersNamingThePublicPolicy_restartARoomBothSidesNumbered() throws Exception {
        int[] ports = ClusterFixture.freePorts(3);
        String seedA = "127.0.0.1:" + ports[0];
        String seedB = "127.0.0.1:" + ports[1];
        String seedC = "127.0.0.1:" + ports[2];
        String name = "wsc-test-" + UUID.randomUUID().toString().substring(0, 8);
        HistorySettings history = HistorySettings.builder().keep("*", 100, Duration.ofHours(1)).build();
        String room = "r-" + UUID.randomUUID().toString().substring(0, 8);
        List<HazelcastInstance> instances = new ArrayList<>();
        List<HazelcastCluster> clusters = new ArrayList<>();
        try {
            // C alone knows the others; its first look for them comes when the setup below is done
            // C (whose policy the merge applies) and B name the policy in YAML, A in Java
            HazelcastInstance hc = member(instances, Config.loadFromString(HISTORY_MAP_YAML), name, ports[2], 25, seedA, seedB, seedC);
            HazelcastInstance ha = member(instances, historyMapInJava(), name, ports[0], 2, seedA, seedB);
            HazelcastInstance hb = member(instances, Config.loadFromString(HISTORY_MAP_YAML), name, ports[1], 2, seedA, seedB);
            for (HazelcastInstance h : instances) {
                assertThat(h.getConfig().getMapConfig("wsc.history").getMergePolicyConfig().getPolicy())
                        .isEqualTo(HistoryMergePolicy.class.getName());
            }
            HazelcastCluster c = node(clusters, hc, history);
            HazelcastCluster a = node(clusters, ha, history);
            HazelcastCluster b = node(clusters, hb, history);
            RecordingDelivery serverA = new RecordingDelivery();
            RecordingDelivery serverC = new RecordingDelivery();
            SessionHost hostA = a.attachServer(serverA);
            SessionHost hostC = c.attachServer(serverC);
            b.attachServer(new RecordingDelivery());
            await().atMost(Duration.ofSeconds(20)).until(() -> a.nodes().size() == 2);
            assertThat(c.nodes()).hasSize(1);

            SessionId alice = hostA.open("/chat", "alice", Map.of()).id();
            String epoch = join(a.rooms().join(alice, room, Replay.none())).position().orElseThrow().epoch();
            for (int i = 1; i <= 3; i++) {
                join(a.messenger().send(Target.room(room), Message.text("a" + i)));
            }
            hc.<String, byte[]>getMap("wsc.history").set(room, ha.<String, byte[]>getMap("wsc.history").get(room));
            SessionId carol = hostC.open("/chat", "carol", Map.of()).id();
            JoinResult resumed = join(c.rooms().join(carol, room, Replay.since(new Position(3, epoch))));
            assertThat(resumed.recovered()).contains(true);
            for (int i = 4; i <= 5; i++) {
                join(c.messenger().send(Target.room(room), Message.text("c" + i)));
                join(a.messenger().send(Target.room(room), Message.text("a" + i)));
            }
            assertThat(join(a.rooms().history(room, 100))).extracting(m -> m.position())
                    .containsExactly(new Position(1, epoch), new Position(2, epoch), new Position(3, epoch),
                            new Position(4, epoch), new Position(5, epoch));
            assertThat(join(c.rooms().history(room, 100))).extracting(m -> m.message().text())
                    .containsExactly("a1", "a2", "a3", "c4", "c5");
            assertThat(c.nodes()).as("C merged before the split was set up").hasSize(1);

            await().atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(ClusterException.class).untilAsserted(() -> {
                for (HazelcastCluster n : clusters) {
                    assertThat(n.nodes()).hasSize(3);
                }
                assertThat(join(a.rooms().history(room, 100))).isEmpty();
            });
            SessionId dave = hostA.open("/chat", "dave", Map.of()).id();
            JoinResult refused = join(a.rooms().join(dave, room, Replay.since(new Position(3, epoch))));
            assertThat(refused.recovered()).contains(false);
            assertThat(refused.replayed()).isZero();
            assertThat(refused.position().orElseThrow().epoch()).isNotEqualTo(epoch);
        } finally {
            clusters.forEach(HazelcastCluster::crash);
            instances.forEach(h -> h.getLifecycleService().terminate());
        }
    }

    /** The history map's merge policy by its public name, as README and HistoryMergePolicy show it in Java. */
    private static Config historyMapInJava() {
        Config config = new Config();
        config.getMapConfig("wsc.history").setMergePolicyConfig(
                new MergePolicyConfig(HistoryMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE));
        return config;
    }

    /** A member started from a user's configuration that names the history map's policy, with the rest set here. */
    private static HazelcastInstance member(List<HazelcastInstance> started, Config config, String clusterName, int port,
                                            int firstMergeSeconds, String... seeds) {
        ClusterFixture.onLoopback(config, clusterName, port, seeds);
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(firstMergeSeconds));
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "2");
        config.setProperty("hazelcast.socket.bind.any", "false");
        HazelcastInstance instance = Hazelcast.newHazelcastInstance(config);
        started.add(instance);
        return instance;
    }

    private static HazelcastCluster node(List<HazelcastCluster> started, HazelcastInstance instance, HistorySettings history) {
        HazelcastCluster cluster = HazelcastCluster.builder().hazelcastInstance(instance).history(history).build();
        started.add(cluster);
        return cluster;
    }
}
