package io.wscluster;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueTypesTest {

    private static final NodeId NODE = new NodeId("k3v9x2qa");

    @Test
    void sessionId_of_encodesTheOwnerAndParsesBack() {
        SessionId id = SessionId.of(NODE, 35);
        assertThat(id.value()).isEqualTo("k3v9x2qa-z");
        assertThat(id.node()).isEqualTo(NODE);
        assertThat(SessionId.parse(id.value())).isEqualTo(id);
        assertThat(id.isOwnedBy(NODE)).isTrue();
        assertThat(id.isOwnedBy(new NodeId("k3v9x2q"))).isFalse();
        assertThat(id.isOwnedBy(new NodeId("k3v9x2qab"))).isFalse();
    }

    @Test
    void sessionId_parse_rejectsMalformedText() {
        for (String bad : new String[] {"", "-1", "node-", "node", "a-b-c", "UPPER-1", "node-x y", "n".repeat(33) + "-1"}) {
            assertThatThrownBy(() -> SessionId.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is invalid");
        }
    }

    @Test
    void nodeId_random_isValidAndDistinct() {
        NodeId one = NodeId.random();
        assertThat(one.value()).matches("[a-z0-9]{8}");
        assertThat(NodeId.random()).isNotEqualTo(one);
        assertThatThrownBy(() -> new NodeId("Has-Dash")).hasMessage("node id 'Has-Dash' is invalid: it must be 1..32 characters of [a-z0-9]");
    }

    @Test
    void closeCode_rejectsReservedCodesAndLongReasons() {
        assertThat(CloseCode.of(4000, "kicked").code()).isEqualTo(4000);
        for (int reserved : new int[] {999, 1004, 1005, 1006, 1015, 5000}) {
            assertThatThrownBy(() -> CloseCode.of(reserved, "")).hasMessageContaining("but was " + reserved);
        }
        assertThatThrownBy(() -> CloseCode.of(1000, "x".repeat(124)))
                .hasMessage("close reason must be at most 123 bytes of UTF-8 but was 124");
    }

    @Test
    void delivery_nobody_isANormalResult() {
        assertThat(Delivery.NOBODY.reachedAnyone()).isFalse();
        assertThat(new Delivery(2, 1).plus(new Delivery(3, 1))).isEqualTo(new Delivery(5, 2));
        assertThatThrownBy(() -> new Delivery(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void target_validatesNamesAndKeepsTheExclusion() {
        SessionId sender = SessionId.of(NODE, 1);
        Target target = Target.room("lobby").excluding(sender);
        assertThat(target.kind()).isEqualTo(Target.Kind.ROOM);
        assertThat(target.name()).isEqualTo("lobby");
        assertThat(target.excluded()).contains(sender);
        assertThatThrownBy(() -> Target.user("bad user")).hasMessageStartingWith("user 'bad user' is invalid");
        assertThatThrownBy(() -> Target.endpoint("chat")).hasMessage("endpoint path must start with '/' but was 'chat'");
        assertThat(Target.all().name()).isEmpty();
    }

    @Test
    void message_textAndBinaryAreDistinct() {
        Message text = Message.text("hé");
        assertThat(text.isText()).isTrue();
        assertThat(text.payloadBytes()).hasSize(3);
        assertThatThrownBy(text::binary).isInstanceOf(IllegalStateException.class);
        byte[] data = {1, 2};
        Message binary = Message.binary(data);
        data[0] = 9;
        assertThat(binary.binary().get(0)).isEqualTo((byte) 1);
        assertThatThrownBy(binary::text).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void message_text_refusesUnpairedSurrogates() {
        assertThat(Message.text("pair \ud83d\ude00 ok").text()).hasSize(10);
        assertThatThrownBy(() -> Message.text("lone \ud800"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("text has an unpaired surrogate U+D800 at index 5 and cannot be sent as UTF-8");
        assertThatThrownBy(() -> Message.text("\udc00x")).hasMessageContaining("U+DC00 at index 0");
    }

    @Test
    void message_size_isTheUtf8LengthWithoutEncoding() {
        for (String text : new String[] {"", "abc", "h\u00e9", "\u65e5\u672c", "\ud83d\ude00", "mix \u00e9\u65e5\ud83d\ude00!"}) {
            assertThat(Message.text(text).size()).as(text).isEqualTo(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
        assertThat(Message.binary(new byte[7]).size()).isEqualTo(7);
        assertThat(Message.utf8Length("a\ud800")).isEqualTo(-2);
    }

    @Test
    void sessionInfo_isImmutableAndValidatesTheUser() {
        SessionInfo info = new SessionInfo(SessionId.of(NODE, 1), "/chat", "alice", Set.of("b", "a"), Map.of("k", "v"), Instant.EPOCH);
        assertThat(info.rooms()).containsExactly("a", "b");
        assertThatThrownBy(() -> info.rooms().add("c")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(info.withRooms(Set.of()).rooms()).isEmpty();
        assertThat(info.node()).isEqualTo(NODE);
        assertThatThrownBy(() -> new SessionInfo(SessionId.of(NODE, 2), "/chat", "bad user", Set.of(), Map.of(), Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
