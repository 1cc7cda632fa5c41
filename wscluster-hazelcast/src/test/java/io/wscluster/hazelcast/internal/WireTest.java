package io.wscluster.hazelcast.internal;

import io.wscluster.CloseCode;
import io.wscluster.Message;
import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireTest {

    private static final NodeId NODE = new NodeId("abc123");
    private static final SessionInfo SESSION = new SessionInfo(SessionId.of(NODE, 7), "/rooms/{room}", "alice",
            Set.of("lobby", "team:1"), Map.of("lang", "en", "ua", "ünïcødé ✓"), Instant.ofEpochMilli(1_700_000_000_123L));

    @Test
    void session_roundTrips() {
        assertThat(SessionRecord.decode(SessionRecord.encode(SESSION))).isEqualTo(SESSION);
        SessionInfo anonymous = new SessionInfo(SessionId.of(NODE, 8), "/x", null, Set.of(), Map.of(), Instant.EPOCH);
        assertThat(SessionRecord.decode(SessionRecord.encode(anonymous))).isEqualTo(anonymous);
    }

    @Test
    void session_isCompact() {
        assertThat(SessionRecord.encode(SESSION).length).isLessThan(140);
    }

    @Test
    void node_roundTrips() {
        NodeRecord node = new NodeRecord(NODE, "127.0.0.1:5701", Instant.ofEpochMilli(42), "uuid-1", true, false);
        assertThat(NodeRecord.decode(node.encode())).isEqualTo(node);
        assertThat(NodeRecord.decode(node.asLeaving().encode()).leaving()).isTrue();
    }

    @Test
    void interest_roundTripsAndDropsZeroCounts() {
        RoutingEntry entry = new RoutingEntry(7, Map.of(NODE, 3, new NodeId("other"), 0));
        RoutingEntry decoded = RoutingEntry.decode(entry.encode());
        assertThat(decoded.version()).isEqualTo(7);
        assertThat(decoded.counts()).containsExactly(Map.entry(NODE, 3));
        assertThat(RoutingEntry.decode(null)).isEqualTo(RoutingEntry.NONE);
    }

    @Test
    void interest_with_bumpsTheVersionOnlyOnChange() {
        long before = RoutingEntry.clockVersion();
        RoutingEntry one = RoutingEntry.NONE.with(NODE, 2);
        assertThat(one.version()).isGreaterThanOrEqualTo(before);
        assertThat(one.with(NODE, 2)).isSameAs(one);
        RoutingEntry none = one.with(NODE, 0);
        assertThat(none.version()).isGreaterThan(one.version());
        assertThat(none.counts()).isEmpty();
    }

    @Test
    void interest_with_afterADeletedEntry_outranksItsVersion() {
        // a busy entry: many writes in one millisecond push its version past the clock
        RoutingEntry busy = new RoutingEntry(RoutingEntry.clockVersion() + 5_000, Map.of(NODE, 1));
        assertThat(busy.with(NODE, 2).version()).isEqualTo(busy.version() + 1);
        // deleted later, a new entry starts from the clock again: it outranks the deleted one once the
        // clock has passed it, which deletion only after a long empty spell guarantees
        // (the clock is read before the write: read after it, a pause of the test JVM in between failed this)
        long clockBefore = RoutingEntry.clockVersion();
        RoutingEntry reborn = new RoutingEntry(0, Map.of()).with(NODE, 1);
        assertThat(reborn.version()).isGreaterThanOrEqualTo(clockBefore - 1_000);
        assertThat(reborn.writtenNoLaterThanMillis()).isLessThanOrEqualTo(System.currentTimeMillis());
    }

    @Test
    void sync_roundTrips() {
        RoutingEntry entry = new RoutingEntry(3, Map.of(NODE, 1));
        Envelope sync = Envelope.decode(Envelope.encodeSync(4, NODE, "lobby", entry));
        assertThat(sync.kind()).isEqualTo(Envelope.Kind.SYNC);
        assertThat(sync.room()).isEqualTo("lobby");
        assertThat(sync.entry()).isEqualTo(entry);
    }

    @Test
    void deliver_roundTripsTextAndBinary() {
        Target target = Target.room("lobby").excluding(SessionId.of(NODE, 1));
        Envelope text = Envelope.decode(Envelope.encodeDeliver(0, null, target, Message.text("hé")));
        assertThat(text.kind()).isEqualTo(Envelope.Kind.DELIVER);
        assertThat(text.targetKind()).isEqualTo(Target.Kind.ROOM);
        assertThat(text.name()).isEqualTo("lobby");
        assertThat(text.excluded()).isEqualTo("abc123-1");
        assertThat(text.message()).isEqualTo(Message.text("hé"));
        assertThat(text.replyTo()).isNull();

        Envelope binary = Envelope.decode(Envelope.encodeDeliver(9, NODE, Target.all(), Message.binary(new byte[] {0, 1, 2})));
        assertThat(binary.correlation()).isEqualTo(9);
        assertThat(binary.replyTo()).isEqualTo(NODE);
        assertThat(binary.excluded()).isNull();
        assertThat(binary.message()).isEqualTo(Message.binary(new byte[] {0, 1, 2}));
    }

    @Test
    void requestsAndReplies_roundTrip() {
        Envelope join = Envelope.decode(Envelope.encodeMembership(true, 5, NODE, SessionId.of(NODE, 2), "lobby"));
        assertThat(join.kind()).isEqualTo(Envelope.Kind.JOIN);
        assertThat(join.name()).isEqualTo("abc123-2");
        assertThat(join.room()).isEqualTo("lobby");
        assertThat(Envelope.decode(Envelope.encodeMembership(false, 5, NODE, SessionId.of(NODE, 2), "x")).kind())
                .isEqualTo(Envelope.Kind.LEAVE);
        Envelope kick = Envelope.decode(Envelope.encodeDisconnect(6, NODE, SessionId.of(NODE, 3), CloseCode.of(4001, "bye")));
        assertThat(kick.closeCode()).isEqualTo(CloseCode.of(4001, "bye"));
        Envelope reply = Envelope.decode(Envelope.encodeReply(6, 17));
        assertThat(reply.correlation()).isEqualTo(6);
        assertThat(reply.result()).isEqualTo(17);
    }

    @Test
    void events_roundTrip() {
        TopicEvent opened = TopicEvent.decode(TopicEvent.encodeSession(TopicEvent.Kind.OPENED, SESSION));
        assertThat(opened.session()).isEqualTo(SESSION);
        assertThat(opened.user()).isEqualTo("alice");
        TopicEvent offline = TopicEvent.decode(TopicEvent.encodeUser(TopicEvent.Kind.OFFLINE, "bob", SessionId.of(NODE, 4)));
        assertThat(offline.kind()).isEqualTo(TopicEvent.Kind.OFFLINE);
        assertThat(offline.user()).isEqualTo("bob");
        assertThat(offline.sessionId()).isEqualTo(SessionId.of(NODE, 4));
    }

    @Test
    void decode_truncatedOrForeignBytes_failsClearly() {
        byte[] record = SessionRecord.encode(SESSION);
        assertThatThrownBy(() -> SessionRecord.decode(Arrays.copyOf(record, record.length - 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wscluster record");
        byte[] future = record.clone();
        future[0] = 9;
        assertThatThrownBy(() -> SessionRecord.decode(future))
                .hasMessage("session record has format 9 but this version reads only 1; are nodes of different wscluster versions in one cluster?");
        assertThatThrownBy(() -> Envelope.decode(new byte[] {42}))
                .hasMessage("unknown envelope kind 42");
        byte[] padded = Arrays.copyOf(Envelope.encodeReply(1, 2), 40);
        assertThatThrownBy(() -> Envelope.decode(padded)).hasMessageContaining("trailing");
    }
}
