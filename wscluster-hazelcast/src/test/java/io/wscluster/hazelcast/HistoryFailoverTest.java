package io.wscluster.hazelcast;

import io.wscluster.HistorySettings;
import io.wscluster.Message;
import io.wscluster.Position;
import io.wscluster.Replay;
import io.wscluster.SessionId;
import io.wscluster.Target;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * History rooms across a change of the sequence's owner (issue 11): the owner dies while messages
 * are being sent, or partitions migrate as members come and go. Receivers that stay see every
 * offset once, in order, in one epoch, and the history keeps every message.
 */
class HistoryFailoverTest {

    private static final HistorySettings HISTORY = HistorySettings.builder()
            .keep("*", 5000, Duration.ofHours(1))
            .stamp((room, position, message) -> Message.text(position.offset() + "@" + position.epoch()))
            .build();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void theOwnerOfARoomsSequenceDies_whileMessagesAreSent_noOffsetIsLostOrRepeated() throws Exception {
        try (ClusterFixture fixture = start(3)) {
            String room = "r-" + UUID.randomUUID().toString().substring(0, 8);
            List<ClusterFixture.Member> members = fixture.members();
            ClusterFixture.Member owner = ownerOf(members.get(0), room, members);
            List<ClusterFixture.Member> stay = members.stream().filter(m -> m != owner).toList();
            ClusterFixture.Member sending = stay.get(0);
            ClusterFixture.Member other = stay.get(1);
            SessionId r1 = sending.host().open("/chat", null, Map.of()).id();
            SessionId r2 = other.host().open("/chat", null, Map.of()).id();
            sending.cluster().rooms().join(r1, room, Replay.none()).toCompletableFuture().join();
            String epoch = other.cluster().rooms().join(r2, room, Replay.none()).toCompletableFuture().join()
                    .position().orElseThrow().epoch();
            int total = 600;
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                for (int i = 1; i <= total; i++) {
                    sending.cluster().messenger().send(Target.room(room), Message.text("m" + i)).toCompletableFuture().join();
                }
            });
            await().atMost(WAIT).until(() -> sending.server().texts(r1).size() >= total / 4);
            owner.cluster().crash();
            sender.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            List<String> expected = LongStream.rangeClosed(1, total).mapToObj(o -> o + "@" + epoch).toList();
            await().atMost(WAIT).until(() -> sending.server().texts(r1).size() >= total && other.server().texts(r2).size() >= total);
            assertThat(sending.server().texts(r1)).containsExactlyElementsOf(expected);
            assertThat(other.server().texts(r2)).containsExactlyElementsOf(expected);
            assertThat(other.cluster().rooms().history(room, 1000).toCompletableFuture().join())
                    .extracting(m -> m.position()).containsExactlyElementsOf(
                            LongStream.rangeClosed(1, total).mapToObj(o -> new Position(o, epoch)).toList());
        }
    }

    @Test
    void partitionsMigrate_whileMessagesAreSent_receiversThatStaySeeEveryOffsetOnceInOrder() throws Exception {
        try (ClusterFixture fixture = start(2)) {
            String room = "r-" + UUID.randomUUID().toString().substring(0, 8);
            ClusterFixture.Member first = fixture.get(0);
            ClusterFixture.Member second = fixture.get(1);
            SessionId r1 = first.host().open("/chat", null, Map.of()).id();
            SessionId r2 = second.host().open("/chat", null, Map.of()).id();
            first.cluster().rooms().join(r1, room, Replay.none()).toCompletableFuture().join();
            String epoch = second.cluster().rooms().join(r2, room, Replay.none()).toCompletableFuture().join()
                    .position().orElseThrow().epoch();
            int total = 800;
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                for (int i = 1; i <= total; i++) {
                    second.cluster().messenger().send(Target.room(room), Message.text("m" + i)).toCompletableFuture().join();
                }
            });
            await().atMost(WAIT).until(() -> first.server().texts(r1).size() >= total / 8);
            int[] ports = ClusterFixture.freePorts(2);
            String[] seeds = {"127.0.0.1:" + first.port(), "127.0.0.1:" + second.port()};
            ClusterFixture.Member third = fixture.add(ports[0], b -> b.history(HISTORY), seeds);
            await().atMost(WAIT).until(() -> first.cluster().nodes().size() == 3);
            ClusterFixture.Member fourth = fixture.add(ports[1], b -> b.history(HISTORY), seeds);
            await().atMost(WAIT).until(() -> first.cluster().nodes().size() == 4);
            third.cluster().close();
            sender.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            List<String> expected = LongStream.rangeClosed(1, total).mapToObj(o -> o + "@" + epoch).toList();
            await().atMost(WAIT).until(() -> first.server().texts(r1).size() >= total && second.server().texts(r2).size() >= total);
            assertThat(first.server().texts(r1)).containsExactlyElementsOf(expected);
            assertThat(second.server().texts(r2)).containsExactlyElementsOf(expected);
            assertThat(fourth.cluster().rooms().history(room, 1000).toCompletableFuture().join()).hasSize(total);
        }
    }

    private static ClusterFixture start(int count) {
        ClusterFixture fixture = ClusterFixture.start(count, b -> b.history(HISTORY));
        await().atMost(WAIT).until(() -> fixture.members().stream().allMatch(m -> m.cluster().nodes().size() == count));
        return fixture;
    }

    /** The member that owns the room's partition of the history map. */
    private static ClusterFixture.Member ownerOf(ClusterFixture.Member any, String room, List<ClusterFixture.Member> members) {
        var owner = any.cluster().hazelcastInstance().getPartitionService().getPartition(room).getOwner();
        return members.stream()
                .filter(m -> m.cluster().hazelcastInstance().getCluster().getLocalMember().getUuid().equals(owner.getUuid()))
                .findFirst().orElseThrow();
    }
}
