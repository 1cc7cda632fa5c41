package io.wscluster.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.support.ChatCluster;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Message size (65,536 bytes of UTF-8, whole message after reassembly), binary frames and invalid
 * UTF-8, with the protocol's close codes, on a two-node cluster with default flags.
 */
class ChatLimitsTest {

    private static final int MAX = 65_536;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static ChatCluster cluster;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = ChatCluster.start(2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** A raw connection on node 0 that has joined {@code room}. */
    private RawWebSocket rawMember(String user, String room) {
        RawWebSocket ws = RawWebSocket.connect(cluster.node(0).port(), "/chat?user=" + user);
        open.add(ws);
        assertThat(ws.status()).isEqualTo(101);
        ws.sendText("{\"op\":\"join\",\"room\":\"" + room + "\"}");
        assertThat(ws.readText()).contains("\"joined\"");
        return ws;
    }

    /** A listener on node 1 in {@code room}. */
    private ChatClient listener(String room) {
        String user = "listener-" + SEQ.incrementAndGet();
        ChatClient c = ChatClient.connect(cluster.chat(1, user), user);
        open.add(c);
        c.join(room);
        return c;
    }

    /** A send frame of exactly {@code bytes} bytes of UTF-8, its body padded with {@code pad}. */
    private static byte[] sendFrameOfSize(String room, int bytes, String pad) {
        String empty = "{\"op\":\"send\",\"room\":\"" + room + "\",\"body\":\"\"}";
        int room4Body = bytes - empty.getBytes(StandardCharsets.UTF_8).length;
        int padBytes = pad.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder body = new StringBuilder();
        while (room4Body >= padBytes) {
            body.append(pad);
            room4Body -= padBytes;
        }
        body.append("x".repeat(room4Body));
        byte[] frame = ("{\"op\":\"send\",\"room\":\"" + room + "\",\"body\":\"" + body + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThat(frame).hasSize(bytes);
        return frame;
    }

    private static String room() {
        return "limits-" + SEQ.incrementAndGet();
    }

    @Test
    @DisplayName("a message of exactly 65,536 bytes is delivered")
    void message_atLimit_delivered() throws Exception {
        String room = room();
        ChatClient listener = listener(room);
        RawWebSocket ws = rawMember("at-limit", room);
        byte[] frame = sendFrameOfSize(room, MAX, "é");
        ws.sendFrame(true, RawWebSocket.TEXT, frame);
        JsonNode msg = listener.await(f -> f.path("op").asText().equals("msg"));
        assertThat(msg.path("body").asText()).isEqualTo(JSON.readTree(frame).path("body").asText());
    }

    @Test
    @DisplayName("a message of 65,537 bytes closes with 1009 and is not delivered")
    void message_overLimit_closes1009() {
        String room = room();
        ChatClient listener = listener(room);
        RawWebSocket ws = rawMember("over-limit", room);
        ws.sendFrame(true, RawWebSocket.TEXT, sendFrameOfSize(room, MAX + 1, "x"));
        assertThat(ws.awaitClose()).extracting(RawWebSocket.Close::code).isEqualTo(1009);
        assertNothingDelivered(listener, room);
    }

    @Test
    @DisplayName("bytes count, not characters: 65,537 bytes in fewer characters closes with 1009")
    void message_overLimitInMultibyteChars_closes1009() {
        String room = room();
        ChatClient listener = listener(room);
        RawWebSocket ws = rawMember("multibyte", room);
        byte[] frame = sendFrameOfSize(room, MAX + 1, "日");
        assertThat(new String(frame, StandardCharsets.UTF_8).length()).isLessThan(MAX);
        ws.sendFrame(true, RawWebSocket.TEXT, frame);
        assertThat(ws.awaitClose()).extracting(RawWebSocket.Close::code).isEqualTo(1009);
        assertNothingDelivered(listener, room);
    }

    @Test
    @DisplayName("a fragmented message counts whole: 65,536 bytes in three fragments is delivered")
    void fragmented_atLimit_delivered() {
        String room = room();
        ChatClient listener = listener(room);
        RawWebSocket ws = rawMember("frag-ok", room);
        byte[] frame = sendFrameOfSize(room, MAX, "x");
        sendFragmented(ws, frame, 3);
        assertThat(listener.await(f -> f.path("op").asText().equals("msg")).path("body").asText())
                .isEqualTo(new String(frame, StandardCharsets.UTF_8).replaceAll("^.*\"body\":\"|\"}$", ""));
    }

    @Test
    @DisplayName("a fragmented message counts whole: 65,537 bytes in fragments of a few KB closes with 1009")
    void fragmented_overLimit_closes1009() {
        String room = room();
        ChatClient listener = listener(room);
        RawWebSocket ws = rawMember("frag-big", room);
        sendFragmented(ws, sendFrameOfSize(room, MAX + 1, "é"), 20);
        assertThat(ws.awaitClose()).extracting(RawWebSocket.Close::code).isEqualTo(1009);
        assertNothingDelivered(listener, room);
    }

    @Test
    @DisplayName("a binary frame closes with 1003")
    void binary_closes1003() {
        RawWebSocket ws = rawMember("binary", room());
        ws.sendFrame(true, RawWebSocket.BINARY, new byte[] {1, 2, 3});
        assertThat(ws.awaitClose()).extracting(RawWebSocket.Close::code).isEqualTo(1003);
    }

    @Test
    @DisplayName("an oversized binary frame closes with 1003 or 1009")
    void binaryOversized_closes1003or1009() {
        RawWebSocket ws = rawMember("binary-big", room());
        ws.sendFrame(true, RawWebSocket.BINARY, new byte[MAX + 1]);
        assertThat(ws.awaitClose()).extracting(RawWebSocket.Close::code).isIn(1003, 1009);
    }

    @Test
    @DisplayName("invalid UTF-8 in a text message closes with 1007 and is not delivered")
    void invalidUtf8_closes1007() {
        String room = room();
        ChatClient listener = listener(room);
        RawWebSocket ws = rawMember("bad-utf8", room);
        byte[] prefix = ("{\"op\":\"send\",\"room\":\"" + room + "\",\"body\":\"").getBytes(StandardCharsets.UTF_8);
        byte[] frame = concat(prefix, new byte[] {(byte) 0xC3, 0x28}, "\"}".getBytes(StandardCharsets.UTF_8));
        ws.sendFrame(true, RawWebSocket.TEXT, frame);
        assertThat(ws.awaitClose()).extracting(RawWebSocket.Close::code).isEqualTo(1007);
        assertNothingDelivered(listener, room);
    }

    @Test
    @DisplayName("UTF-8 is judged on the whole message: a character split across fragments is valid")
    void utf8SplitAcrossFragments_valid() {
        String room = room();
        ChatClient listener = listener(room);
        RawWebSocket ws = rawMember("split-utf8", room);
        byte[] frame = ("{\"op\":\"send\",\"room\":\"" + room + "\",\"body\":\"a😀b€c\"}").getBytes(StandardCharsets.UTF_8);
        int emoji = indexOf(frame, (byte) 0xF0);
        int euro = indexOf(frame, (byte) 0xE2);
        ws.sendFrame(false, RawWebSocket.TEXT, Arrays.copyOfRange(frame, 0, emoji + 2));
        ws.sendFrame(false, RawWebSocket.CONTINUATION, Arrays.copyOfRange(frame, emoji + 2, euro + 1));
        ws.sendFrame(true, RawWebSocket.CONTINUATION, Arrays.copyOfRange(frame, euro + 1, frame.length));
        assertThat(listener.await(f -> f.path("op").asText().equals("msg")).path("body").asText()).isEqualTo("a😀b€c");
    }

    @Test
    @DisplayName("a message that ends inside a UTF-8 sequence closes with 1007")
    void utf8TruncatedAtEnd_closes1007() {
        RawWebSocket ws = rawMember("trunc-utf8", room());
        byte[] first = "{\"op\":\"who\",\"room\":\"r\"}".getBytes(StandardCharsets.UTF_8);
        ws.sendFrame(false, RawWebSocket.TEXT, first);
        ws.sendFrame(true, RawWebSocket.CONTINUATION, new byte[] {(byte) 0xE2, (byte) 0x82});
        assertThat(ws.awaitClose()).extracting(RawWebSocket.Close::code).isEqualTo(1007);
    }

    @Test
    @DisplayName("a closed offender leaves everyone else chatting, on its node too")
    void offenderClosed_othersUnaffected() {
        String room = room();
        ChatClient listener = listener(room);
        ChatClient neighbour = ChatClient.connect(cluster.chat(0, "neighbour"), "neighbour");
        open.add(neighbour);
        neighbour.join(room);
        RawWebSocket bad = rawMember("offender", room);
        bad.sendFrame(true, RawWebSocket.BINARY, new byte[10]);
        assertThat(bad.awaitClose().received()).isTrue();
        neighbour.send("op", "send", "room", room, "body", "still here");
        assertThat(listener.await(f -> f.path("op").asText().equals("msg")).path("body").asText()).isEqualTo("still here");
        // the server deregisters the offender right after its close, not before the client sees it
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(neighbour.who(room)).containsExactly(listener.user(), "neighbour"));
    }

    private static void sendFragmented(RawWebSocket ws, byte[] message, int parts) {
        int size = (message.length + parts - 1) / parts;
        for (int i = 0, off = 0; off < message.length; i++, off += size) {
            int end = Math.min(message.length, off + size);
            ws.sendFrame(end == message.length, i == 0 ? RawWebSocket.TEXT : RawWebSocket.CONTINUATION, Arrays.copyOfRange(message, off, end));
        }
    }

    /**
     * A marker sent from the offender's node after the offender was closed arrives after anything the
     * offender could have caused (one sending node, one receiving node: order is kept); nothing but the
     * marker may have arrived.
     */
    private void assertNothingDelivered(ChatClient listener, String room) {
        ChatClient marker = ChatClient.connect(cluster.chat(0, "marker"), "marker");
        open.add(marker);
        marker.join(room);
        marker.send("op", "send", "room", room, "body", "marker");
        listener.await(f -> f.path("body").asText().equals("marker"));
        assertThat(listener.received("msg")).extracting(f -> f.path("body").asText()).containsExactly("marker");
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, off, p.length);
            off += p.length;
        }
        return all;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new AssertionError("byte not found");
    }
}
