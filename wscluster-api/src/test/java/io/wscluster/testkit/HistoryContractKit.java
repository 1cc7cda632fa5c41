package io.wscluster.testkit;

import io.wscluster.Cluster;
import io.wscluster.Delivery;
import io.wscluster.HistoryMessage;
import io.wscluster.HistorySettings;
import io.wscluster.JoinResult;
import io.wscluster.Message;
import io.wscluster.Position;
import io.wscluster.Replay;
import io.wscluster.SessionId;
import io.wscluster.Target;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The history contract (issue 11) every {@link Cluster} implementation keeps, across three
 * connected nodes A, B and C: offsets and epochs, joins with a replay and their seam with live
 * messages, reads without joining, bounds by size and age, one order per room for all receivers,
 * and history that outlives one node.
 *
 * <p>A backend's test extends this class, starts nodes with the given history settings and moves
 * their clock:
 * <pre>{@code
 * class InMemoryHistoryTest extends HistoryContractKit {
 *     private final MovableClock clock = new MovableClock();
 *
 *     protected ClusterNodes startNodes(int count, HistorySettings history) {
 *         return InMemoryNetwork.startNodes(new InMemoryNetwork(clock, history), count);
 *     }
 *
 *     protected void advanceClock(Duration amount) {
 *         clock.advance(amount);
 *     }
 * }
 * }</pre>
 * Every delivered message is stamped with {@code #offset@epoch}, so the tests read positions from
 * what the servers were handed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class HistoryContractKit {

    /** Rooms {@code h-*}: 1000 messages for an hour. */
    protected static final String LONG = "h-";
    /** Rooms {@code small-*}: 5 messages for an hour. */
    protected static final String SMALL = "small-";
    /** Rooms {@code aged-*}: 1000 messages for one minute. */
    protected static final String AGED = "aged-";

    /** The settings the kit starts every node with. */
    protected static final HistorySettings SETTINGS = HistorySettings.builder()
            .keep(LONG + "*", 1000, Duration.ofHours(1))
            .keep(SMALL + "*", 5, Duration.ofHours(1))
            .keep(AGED + "*", 1000, Duration.ofMinutes(1))
            .stamp((room, position, message) -> Message.text(message.text() + "#" + position.offset() + "@" + position.epoch()))
            .build();

    private static final Duration WAIT = Duration.ofSeconds(30);

    private ClusterNodes nodes;
    private TestNode a;
    private TestNode b;
    private TestNode c;

    /**
     * Starts connected nodes of the backend under test with history.
     *
     * @param count   how many nodes
     * @param history the settings every node gets
     * @return the nodes; closed by the kit
     */
    protected abstract ClusterNodes startNodes(int count, HistorySettings history);

    /**
     * Moves the clock every node of the kit reads for the age of history.
     *
     * @param amount how far
     */
    protected abstract void advanceClock(Duration amount);

    @BeforeAll
    void startCluster() {
        nodes = startNodes(3, SETTINGS);
        a = nodes.get(0);
        b = nodes.get(1);
        c = nodes.get(2);
        await().atMost(WAIT).until(() -> a.cluster().nodes().size() == 3 && b.cluster().nodes().size() == 3
                && c.cluster().nodes().size() == 3);
    }

    @AfterAll
    void stopCluster() {
        if (nodes != null) {
            nodes.close();
        }
    }

    /**
     * @param index 0 for A, 1 for B, 2 for C
     * @return that node, for a backend's own tests in its subclass
     */
    protected TestNode node(int index) {
        return nodes.get(index);
    }

    @Test
    void roomWithoutHistory_joinsPlainly_andSendsCarryNoPosition() {
        String room = "plain-" + unique();
        SessionId s = open(a);
        JoinResult joined = join(a, s, room, Replay.last(5));
        assertThat(joined).isEqualTo(JoinResult.JOINED);
        Delivery sent = send(b, room, "x");
        assertThat(sent.position()).isEmpty();
        assertThat(a.cluster().rooms().history(room, 5).toCompletableFuture().join()).isEmpty();
        await().atMost(WAIT).until(() -> a.server().texts(s).equals(List.of("x")));
    }

    @Test
    void plainJoin_reportsTheCut_andSendsGetTheNextOffsets() {
        String room = LONG + unique();
        SessionId s = open(a);
        JoinResult joined = join(a, s, room, Replay.none());
        assertThat(joined.joined()).isTrue();
        assertThat(joined.position()).get().extracting(Position::offset).isEqualTo(0L);
        assertThat(joined.recovered()).isEmpty();
        String epoch = joined.position().get().epoch();
        List<Position> positions = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            positions.add(send(b, room, "m" + i).position().orElseThrow());
        }
        assertThat(positions).containsExactly(new Position(1, epoch), new Position(2, epoch), new Position(3, epoch));
        await().atMost(WAIT).until(() -> a.server().texts(s).size() == 3);
        assertThat(a.server().texts(s)).containsExactly("m1#1@" + epoch, "m2#2@" + epoch, "m3#3@" + epoch);
        SessionId late = open(c);
        JoinResult second = join(c, late, room, Replay.none());
        assertThat(second.position()).contains(new Position(3, epoch));
        assertThat(second.replayed()).isZero();
    }

    @Test
    void joinSince_withSendsRacingFromAnotherNode_replaysThenLive_exactlyOnceInOrder() throws Exception {
        String room = LONG + unique();
        SessionId first = open(a);
        Position start = join(a, first, room, Replay.none()).position().orElseThrow();
        int total = 400;
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            awaitLatch(go);
            for (int i = 1; i <= total; i++) {
                b.cluster().messenger().send(Target.room(room), Message.text("m" + i)).toCompletableFuture().join();
            }
        });
        go.countDown();
        // Sessions resume one after another while the messages keep coming.
        Map<SessionId, JoinResult> resumed = new java.util.LinkedHashMap<>();
        while (!sender.isDone() && resumed.size() < 12) {
            SessionId s = open(a);
            resumed.put(s, join(a, s, room, Replay.since(start)));
        }
        sender.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        String epoch = start.epoch();
        List<String> expected = IntStream.rangeClosed(1, total).mapToObj(i -> "m" + i + "#" + i + "@" + epoch).toList();
        await().atMost(WAIT).until(() -> a.server().texts(first).size() >= total);
        assertThat(a.server().texts(first)).containsExactlyElementsOf(expected);
        assertThat(resumed).isNotEmpty();
        for (Map.Entry<SessionId, JoinResult> e : resumed.entrySet()) {
            SessionId s = e.getKey();
            JoinResult joined = e.getValue();
            assertThat(joined.recovered()).contains(true);
            assertThat(joined.replayed()).isEqualTo((int) joined.position().orElseThrow().offset());
            await().atMost(WAIT).until(() -> a.server().texts(s).size() >= total);
            assertThat(a.server().texts(s)).as("session joined at " + joined.position()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void joinLast_onAFreshRoom_replaysNothing_andOnALongRoom_theLastK() {
        String fresh = LONG + unique();
        SessionId s = open(a);
        JoinResult none = join(a, s, fresh, Replay.last(5));
        assertThat(none.replayed()).isZero();
        assertThat(none.position()).get().extracting(Position::offset).isEqualTo(0L);

        String room = LONG + unique();
        sendAll(c, room, 30);
        SessionId t = open(b);
        long servedBefore = b.cluster().stats().replaysServed();
        long replayedBefore = b.cluster().stats().messagesReplayed();
        JoinResult last = join(b, t, room, Replay.last(5));
        assertThat(last.replayed()).isEqualTo(5);
        assertThat(b.cluster().stats().replaysServed()).isEqualTo(servedBefore + 1);
        assertThat(b.cluster().stats().messagesReplayed()).isEqualTo(replayedBefore + 5);
        assertThat(List.of(a, b, c)).as("some node holds the room's sequence")
                .anyMatch(n -> n.cluster().stats().historyRooms() > 0);
        assertThat(last.recovered()).isEmpty();
        String epoch = last.position().orElseThrow().epoch();
        assertThat(last.position()).contains(new Position(30, epoch));
        send(a, room, "live");
        await().atMost(WAIT).until(() -> b.server().texts(t).size() == 6);
        assertThat(b.server().texts(t)).containsExactly("m26#26@" + epoch, "m27#27@" + epoch, "m28#28@" + epoch,
                "m29#29@" + epoch, "m30#30@" + epoch, "live#31@" + epoch);
    }

    @Test
    void joinSince_beyondTheHistorySize_isRefused_andReplaysNothing() {
        String room = SMALL + unique();
        SessionId s = open(a);
        Position start = join(a, s, room, Replay.none()).position().orElseThrow();
        sendAll(b, room, 10);
        long refusedBefore = a.cluster().stats().recoveriesRefused();
        SessionId t = open(a);
        JoinResult joined = join(a, t, room, Replay.since(new Position(start.offset() + 2, start.epoch())));
        assertThat(joined.recovered()).contains(false);
        assertThat(joined.replayed()).isZero();
        assertThat(joined.position()).contains(new Position(10, start.epoch()));
        assertThat(a.cluster().stats().recoveriesRefused()).isEqualTo(refusedBefore + 1);
        assertThat(a.cluster().rooms().history(room, 100).toCompletableFuture().join())
                .extracting(m -> m.position().offset()).containsExactly(6L, 7L, 8L, 9L, 10L);
        // Within the size it recovers.
        SessionId u = open(a);
        JoinResult recent = join(a, u, room, Replay.since(new Position(7, start.epoch())));
        assertThat(recent.recovered()).contains(true);
        assertThat(a.server().texts(u)).containsExactly("m8#8@" + start.epoch(), "m9#9@" + start.epoch(),
                "m10#10@" + start.epoch());
    }

    @Test
    void joinSince_anotherEpoch_isRefused() {
        String room = LONG + unique();
        sendAll(b, room, 3);
        SessionId s = open(c);
        JoinResult joined = join(c, s, room, Replay.since(new Position(1, "not-the-epoch")));
        assertThat(joined.recovered()).contains(false);
        assertThat(joined.replayed()).isZero();
        assertThat(c.server().texts(s)).isEmpty();
    }

    @Test
    void historyOlderThanItsAge_startsANewEpoch_andRefusesTheOldPosition() {
        String room = AGED + unique();
        Position first = send(a, room, "old").position().orElseThrow();
        advanceClock(Duration.ofMinutes(2));
        assertThat(a.cluster().rooms().history(room, 10).toCompletableFuture().join()).isEmpty();
        SessionId s = open(b);
        JoinResult joined = join(b, s, room, Replay.since(first));
        assertThat(joined.recovered()).contains(false);
        Position now = joined.position().orElseThrow();
        assertThat(now.epoch()).isNotEqualTo(first.epoch());
        assertThat(now.offset()).isZero();
        Position next = send(c, room, "new").position().orElseThrow();
        assertThat(next).isEqualTo(new Position(1, now.epoch()));
        await().atMost(WAIT).until(() -> b.server().texts(s).equals(List.of("new#1@" + now.epoch())));
    }

    @Test
    void history_readsTheLastMessagesWithoutJoining() {
        String room = LONG + unique();
        sendAll(b, room, 7);
        List<HistoryMessage> last = c.cluster().rooms().history(room, 3).toCompletableFuture().join();
        assertThat(last).extracting(m -> m.message().text()).containsExactly("m5", "m6", "m7");
        assertThat(last).extracting(m -> m.position().offset()).containsExactly(5L, 6L, 7L);
        assertThat(c.cluster().rooms().history(room, 0).toCompletableFuture().join()).isEmpty();
        assertThat(c.cluster().rooms().history(LONG + unique(), 3).toCompletableFuture().join()).isEmpty();
        assertThatThrownBy(() -> c.cluster().rooms().history(room, Replay.MAX_LAST + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("last must be 0..");
    }

    @Test
    void threeSendersOnThreeNodes_everyReceiverSeesOneOrder_withContiguousOffsets() throws Exception {
        String room = LONG + unique();
        List<TestNode> all = List.of(a, b, c);
        List<SessionId> receivers = new ArrayList<>();
        for (TestNode n : all) {
            SessionId s = open(n);
            join(n, s, room, Replay.none());
            receivers.add(s);
        }
        int each = 100;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (int k = 0; k < all.size(); k++) {
            TestNode n = all.get(k);
            String name = "s" + k;
            senders.add(CompletableFuture.runAsync(() -> {
                awaitLatch(go);
                for (int i = 0; i < each; i++) {
                    n.cluster().messenger().send(Target.room(room), Message.text(name + "-" + i));
                }
            }));
        }
        go.countDown();
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        int total = each * all.size();
        for (int k = 0; k < all.size(); k++) {
            TestNode n = all.get(k);
            SessionId s = receivers.get(k);
            await().atMost(WAIT).until(() -> n.server().texts(s).size() >= total);
        }
        List<String> reference = a.server().texts(receivers.get(0));
        assertThat(b.server().texts(receivers.get(1))).isEqualTo(reference);
        assertThat(c.server().texts(receivers.get(2))).isEqualTo(reference);
        assertThat(reference.stream().map(t -> Long.parseLong(t.substring(t.indexOf('#') + 1, t.indexOf('@')))).toList())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        for (int k = 0; k < all.size(); k++) {
            String prefix = "s" + k + "-";
            List<String> mine = reference.stream().filter(t -> t.startsWith(prefix))
                    .map(t -> t.substring(0, t.indexOf('#'))).toList();
            assertThat(mine).containsExactlyElementsOf(IntStream.range(0, each).mapToObj(i -> prefix + i).toList());
        }
    }

    @Test
    void aNodeThatDies_losesNoHistory_andTheSequenceGoesOn() {
        try (ClusterNodes own = startNodes(3, SETTINGS)) {
            TestNode x = own.get(0);
            TestNode y = own.get(1);
            TestNode z = own.get(2);
            await().atMost(WAIT).until(() -> x.cluster().nodes().size() == 3 && y.cluster().nodes().size() == 3
                    && z.cluster().nodes().size() == 3);
            // Several rooms, so that the dying node holds the sequence of some of them.
            List<String> rooms = IntStream.range(0, 12).mapToObj(i -> LONG + unique()).toList();
            Map<String, String> epochs = rooms.stream().collect(Collectors.toMap(r -> r,
                    r -> sendAll(y, r, 5).epoch()));
            own.crash(z);
            await().atMost(own.failureTimeout().multipliedBy(3)).until(() -> x.cluster().nodes().size() == 2);
            for (String room : rooms) {
                String epoch = epochs.get(room);
                assertThat(x.cluster().rooms().history(room, 10).toCompletableFuture().join())
                        .extracting(m -> m.position()).containsExactly(
                                new Position(1, epoch), new Position(2, epoch), new Position(3, epoch),
                                new Position(4, epoch), new Position(5, epoch));
                SessionId s = open(x);
                JoinResult joined = join(x, s, room, Replay.since(new Position(2, epoch)));
                assertThat(joined.recovered()).as(room).contains(true);
                assertThat(x.server().texts(s)).containsExactly("m3#3@" + epoch, "m4#4@" + epoch, "m5#5@" + epoch);
                assertThat(send(y, room, "after").position()).contains(new Position(6, epoch));
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** @return a fresh session on the node */
    protected static SessionId open(TestNode node) {
        return node.host().open("/chat", null, Map.of()).id();
    }

    /** Joins and waits for the result. */
    protected static JoinResult join(TestNode node, SessionId session, String room, Replay replay) {
        return node.cluster().rooms().join(session, room, replay).toCompletableFuture().join();
    }

    /** Sends one text and waits until it is routed. */
    protected static Delivery send(TestNode node, String room, String text) {
        return node.cluster().messenger().send(Target.room(room), Message.text(text)).toCompletableFuture().join();
    }

    /**
     * Sends {@code m1..mN} from one thread, waiting for each.
     *
     * @return the position of the last
     */
    protected static Position sendAll(TestNode node, String room, int count) {
        Position last = null;
        for (int i = 1; i <= count; i++) {
            Optional<Position> p = send(node, room, "m" + i).position();
            assertThat(p).as("position of a send to history room " + room).isPresent();
            last = p.get();
        }
        return last;
    }

    /** @return a short unique suffix for rooms */
    protected static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("start latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
