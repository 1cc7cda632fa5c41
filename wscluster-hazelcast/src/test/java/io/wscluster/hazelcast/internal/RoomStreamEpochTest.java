package io.wscluster.hazelcast.internal;

import io.wscluster.Message;
import io.wscluster.Position;
import io.wscluster.SessionId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RoomStream} when a split-brain merge restarts its room's sequence ({@link HistoryMerge}):
 * what the larger side numbered just before the merge and is still on its way is delivered before
 * the new epoch, never dropped. The stream runs against a node that records what it writes and
 * whose clock and log reads the test drives.
 */
class RoomStreamEpochTest {

    private static final SessionId MEMBER = new SessionId("n1-1");
    private static final SessionId JOINER = new SessionId("n1-2");
    private static final long PATIENCE = 1_000;

    /** A node with one member in the room: it keeps what the stream writes, as "epoch:offset:body". */
    private static final class Node implements RoomStream.Node {
        final List<String> written = new ArrayList<>();
        int fillRequests;
        long now;

        @Override
        public Collection<SessionId> members(String room, String excluded) {
            return List.of(MEMBER);
        }

        @Override
        public void write(Collection<SessionId> to, Message message) {
            written.add(message.text());
        }

        @Override
        public Message stamp(String room, Position position, Message message) {
            return Message.text(position.epoch() + ":" + position.offset() + ":" + message.text());
        }

        @Override
        public void requestFill(RoomStream stream) {
            fillRequests++;
        }

        @Override
        public long nanos() {
            return now;
        }

        @Override
        public long gapPatienceNanos() {
            return PATIENCE;
        }
    }

    private static HistoryBatch batch(String epoch, long... offsets) {
        List<HistoryLog.Entry> entries = new ArrayList<>();
        for (long o : offsets) {
            entries.add(new HistoryLog.Entry(o, 0, o, null, Message.text("m" + o)));
        }
        return new HistoryBatch("lobby", epoch, entries);
    }

    /** A stream following epoch e1 with its member at offset 4, having delivered up to 4. */
    private static RoomStream followingE1(Node node) {
        RoomStream stream = new RoomStream("lobby", node);
        stream.beginJoin();
        assertThat(stream.seam(MEMBER, new HistoryLog("e1", 4, 0, List.of()), List.of(), false)).isEqualTo(RoomStream.Seam.DONE);
        return stream;
    }

    @Test
    void mergeRestart_theOldEpochStillInFlightIsDeliveredFirst_thenTheNewOne() {
        Node node = new Node();
        RoomStream stream = followingE1(node);
        stream.offer(batch("e1", 5));
        // the new epoch's first message overtakes e1's 6 and 7 (another sender's, still on their way)
        stream.offer(batch("e2", 1));
        assertThat(node.written).containsExactly("e1:5:m5");
        assertThat(node.fillRequests).isPositive();
        stream.fill(new HistoryLog("e2", 1, 0, List.of(), "e1", 7));
        stream.offer(batch("e2", 2));
        assertThat(node.written).as("e2 waits for e1 up to 7").containsExactly("e1:5:m5");
        stream.offer(batch("e1", 6));
        stream.offer(batch("e1", 7));
        assertThat(node.written).containsExactly("e1:5:m5", "e1:6:m6", "e1:7:m7", "e2:1:m1", "e2:2:m2");
        stream.offer(batch("e1", 8));
        stream.offer(batch("e2", 3));
        assertThat(node.written).as("e1 is retired once switched").endsWith("e2:2:m2", "e2:3:m3").doesNotContain("e1:8:m8");
        assertThat(stream.delivered()).isEqualTo(new Position(3, "e2"));
    }

    @Test
    void anOldCopyThatNeverComes_isSkippedAfterThePatience() {
        Node node = new Node();
        RoomStream stream = followingE1(node);
        stream.offer(batch("e2", 1));
        stream.fill(new HistoryLog("e2", 1, 0, List.of(), "e1", 6));
        stream.offer(batch("e1", 6));
        assertThat(node.written).as("5 is missing: 6 and e2 wait").isEmpty();
        node.now += PATIENCE;
        stream.fill(new HistoryLog("e2", 1, 0, List.of(), "e1", 6));
        assertThat(node.written).containsExactly("e1:6:m6", "e2:1:m1");
    }

    @Test
    void aLogThatReplacedAnotherEpochOrNone_switchesAtOnce() {
        Node node = new Node();
        RoomStream stream = followingE1(node);
        stream.offer(batch("e2", 1));
        // every holder died: the new sequence replaced nothing that could still be in flight
        stream.fill(new HistoryLog("e2", 1, 0, List.of()));
        assertThat(node.written).containsExactly("e2:1:m1");

        Node other = new Node();
        RoomStream second = followingE1(other);
        second.offer(batch("e3", 1));
        second.fill(new HistoryLog("e3", 1, 0, List.of(), "e0", 40));
        assertThat(other.written).containsExactly("e3:1:m1");
    }

    @Test
    void everythingOfTheOldEpochDeliveredAlready_switchesAtOnce() {
        Node node = new Node();
        RoomStream stream = followingE1(node);
        stream.offer(batch("e1", 5));
        stream.offer(batch("e2", 1));
        stream.fill(new HistoryLog("e2", 1, 0, List.of(), "e1", 5));
        assertThat(node.written).containsExactly("e1:5:m5", "e2:1:m1");
    }

    @Test
    void noReadNamesThePreviousEpoch_switchesAfterThePatience() {
        Node node = new Node();
        RoomStream stream = followingE1(node);
        stream.offer(batch("e2", 1));
        stream.fill(null);
        assertThat(node.written).as("a failed read says nothing yet").isEmpty();
        node.now += PATIENCE;
        stream.fill(null);
        assertThat(node.written).containsExactly("e2:1:m1");
    }

    @Test
    void aJoinOnTheNewEpochDuringTheDrain_takesTheHeldMessages() {
        Node node = new Node();
        RoomStream stream = followingE1(node);
        stream.offer(batch("e2", 1, 2));
        stream.fill(new HistoryLog("e2", 2, 0, List.of(), "e1", 9));
        stream.beginJoin();
        HistoryLog cut = new HistoryLog("e2", 1, 0, List.of());
        assertThat(stream.seam(JOINER, cut, List.of(), false)).isEqualTo(RoomStream.Seam.READ_AGAIN);
        assertThat(stream.seam(JOINER, cut, List.of(), true)).isEqualTo(RoomStream.Seam.DONE);
        assertThat(node.written).containsExactly("e2:1:m1", "e2:2:m2");
    }
}
