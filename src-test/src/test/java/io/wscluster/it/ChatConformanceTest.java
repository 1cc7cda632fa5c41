package io.wscluster.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.it.harness.ChatNodes;
import io.wscluster.it.harness.NodeLogs;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every row of the tables in examples/chat/PROTOCOL.md against three chat node processes,
 * with senders and receivers on different nodes.
 */
class ChatConformanceTest {

    @RegisterExtension
    static final NodeLogs LOGS = new NodeLogs();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static ChatNodes nodes;
    private final List<ChatClient> clients = new ArrayList<>();

    @BeforeAll
    static void startNodes() {
        nodes = ChatNodes.start(3, LOGS.dir());
    }

    @AfterAll
    static void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(ChatClient::close);
    }

    private static String name(String prefix) {
        return prefix + NAMES.incrementAndGet();
    }

    private ChatClient connect(int node, String user) {
        ChatClient client = ChatClient.handshake(nodes.get(node).chatUri(user), user);
        clients.add(client);
        return client;
    }

    private ChatClient joined(int node, String user, String room) {
        ChatClient client = connect(node, user);
        client.send("op", "join", "room", room);
        assertThat(withoutNode(client.next(WAIT))).isEqualTo(json("{\"op\":\"joined\",\"room\":\"" + room + "\"}"));
        return client;
    }

    /**
     * A joined frame without its {@code node} field: an extra field (server frames may carry them) that
     * names the node holding the connection, checked in the chat example's own protocol test.
     */
    private static JsonNode withoutNode(JsonNode frame) {
        JsonNode copy = frame.deepCopy();
        if (copy instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
            object.remove("node");
        }
        return copy;
    }

    private static JsonNode json(String text) {
        try {
            return ChatClient.JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Sends {@code who} and returns the sorted users of the answer. */
    private static List<String> who(ChatClient client, String room) {
        client.send("op", "who", "room", room);
        JsonNode members = client.nextOp("members", WAIT);
        assertThat(members.path("room").asText()).isEqualTo(room);
        List<String> users = new ArrayList<>();
        members.path("users").forEach(u -> users.add(u.asText()));
        return users;
    }

    // ---- connecting ------------------------------------------------------------------------------

    @Test
    void connect_pathOtherThanChat_isRefusedWith404() throws Exception {
        for (String path : List.of("/chat/?user=a", "/Chat?user=a")) {
            try (RawWebSocket raw = RawWebSocket.connect(nodes.get(0).port(), path)) {
                assertThat(raw.status()).as(path).isEqualTo(404);
            }
        }
    }

    @Test
    void connect_missingRepeatedOrInvalidUser_isRefusedOr1008() throws Exception {
        String tooLong = "u".repeat(65);
        for (String query : List.of("/chat", "/chat?user=", "/chat?user=a&user=b", "/chat?user=a%20b", "/chat?user=" + tooLong,
                "/chat?user=caf%C3%A9", "/chat?other=x")) {
            try (RawWebSocket raw = RawWebSocket.connect(nodes.get(1).port(), query)) {
                if (raw.status() == 101) {
                    RawWebSocket.Close close = raw.awaitClose();
                    assertThat(close.code()).as(query).isEqualTo(1008);
                    assertThat(close.reason()).as(query).isNotBlank();
                } else {
                    assertThat(raw.status()).as(query).isBetween(400, 499);
                }
            }
        }
    }

    @Test
    void connect_percentEncodedValidUser_isAcceptedAfterDecoding() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(nodes.get(2).port(), "/chat?user=%41lice.%5F-1&ignored=1")) {
            assertThat(raw.status()).isEqualTo(101);
        }
        ChatClient alice = connect(2, "Alice._-1");
        String room = name("r");
        alice.send("op", "join", "room", room);
        alice.nextOp("joined", WAIT);
        assertThat(who(alice, room)).containsExactly("Alice._-1");
    }

    // ---- join / leave ----------------------------------------------------------------------------

    @Test
    void join_whenAnswered_isVisibleOnEveryNode() {
        String room = name("r");
        String user = name("u");
        ChatClient member = joined(0, user, room);
        ChatClient onNode1 = connect(1, name("o"));
        ChatClient onNode2 = joined(2, name("s"), room);

        assertThat(who(onNode1, room)).contains(user);
        onNode2.send("op", "send", "room", room, "body", "hi");
        JsonNode msg = member.nextOp("msg", WAIT);
        assertThat(msg.path("from").asText()).isEqualTo(onNode2.user());
        assertThat(msg.path("body").asText()).isEqualTo("hi");
    }

    @Test
    void join_twice_isAnsweredTwiceAndOneLeaveEndsIt() {
        String room = name("r");
        ChatClient client = joined(1, name("u"), room);
        client.send("op", "join", "room", room);
        assertThat(withoutNode(client.next(WAIT))).isEqualTo(json("{\"op\":\"joined\",\"room\":\"" + room + "\"}"));
        ChatClient observer = connect(2, name("o"));

        client.send("op", "leave", "room", room);
        assertThat(client.next(WAIT)).isEqualTo(json("{\"op\":\"left\",\"room\":\"" + room + "\"}"));
        assertThat(who(observer, room)).isEmpty();
        client.send("op", "send", "room", room, "body", "x");
        assertThat(client.next(WAIT).path("code").asText()).isEqualTo("not_member");
    }

    @Test
    void leave_roomNotJoined_isAnsweredLeft() {
        ChatClient client = connect(0, name("u"));
        String room = name("r");
        client.send("op", "leave", "room", room);
        assertThat(client.next(WAIT)).isEqualTo(json("{\"op\":\"left\",\"room\":\"" + room + "\"}"));
    }

    // ---- send / direct / who ---------------------------------------------------------------------

    @Test
    void send_reachesEveryMemberOnEveryNodeIncludingSender_withServerSetFrom() {
        String room = name("r");
        ChatClient sender = joined(0, name("s"), room);
        ChatClient r1 = joined(1, name("a"), room);
        ChatClient r2 = joined(2, name("b"), room);
        ChatClient outsider = connect(2, name("o"));

        sender.send("op", "send", "room", room, "body", "", "from", "mallory", "extra", 1);

        for (ChatClient c : List.of(sender, r1, r2)) {
            JsonNode msg = c.nextOp("msg", WAIT);
            assertThat(msg.path("room").asText()).isEqualTo(room);
            assertThat(msg.path("from").asText()).isEqualTo(sender.user());
            assertThat(msg.path("body").isTextual()).isTrue();
            assertThat(msg.path("body").asText()).isEmpty();
        }
        assertThat(who(outsider, room)).hasSize(3);
        assertThat(outsider.drain()).isEmpty();
    }

    @Test
    void direct_reachesEveryConnectionOfTheUser_andTheSenderOnlyIfSameUser() {
        String target = name("t");
        ChatClient t1 = connect(1, target);
        ChatClient t2 = connect(2, target);
        ChatClient sender = connect(0, name("s"));

        sender.send("op", "direct", "to", target, "body", "psst");
        for (ChatClient c : List.of(t1, t2)) {
            assertThat(c.nextOp("direct", WAIT)).isEqualTo(json("{\"op\":\"direct\",\"from\":\"" + sender.user() + "\",\"body\":\"psst\"}"));
        }

        t1.send("op", "direct", "to", target, "body", "self");
        assertThat(t1.nextOp("direct", WAIT).path("body").asText()).isEqualTo("self");
        assertThat(t2.nextOp("direct", WAIT).path("from").asText()).isEqualTo(target);
        // a control from t1's node to the sender: it comes after any stray copy of "self" sent there
        t1.send("op", "direct", "to", sender.user(), "body", "control");
        assertThat(sender.nextOp("direct", WAIT).path("body").asText()).isEqualTo("control");
        assertThat(who(sender, name("empty"))).isEmpty();
        assertThat(sender.drain()).isEmpty();
    }

    @Test
    void direct_toAUserWhoseHandshakeJustCompleted_reachesIt() {
        // A connection counts as connected once its client has the 101. Until the session was registered
        // during the handshake, a direct sent right then from another node could find the user offline.
        ChatClient sender = connect(0, name("s"));
        for (int i = 0; i < 20; i++) {
            ChatClient fresh = connect(1 + i % 2, name("fresh"));
            sender.send("op", "direct", "to", fresh.user(), "body", "welcome" + i);
            assertThat(fresh.nextOp("direct", WAIT).path("body").asText()).isEqualTo("welcome" + i);
        }
    }

    @Test
    void direct_toUserWithoutConnection_deliversAndAnswersNothing() {
        ChatClient sender = connect(1, name("s"));
        sender.send("op", "direct", "to", name("nobody"), "body", "hello?");
        String room = name("r");
        assertThat(who(sender, room)).isEmpty();
        assertThat(sender.drain()).isEmpty();
    }

    @Test
    void who_listsDistinctUsersSortedByCodePoint_forAnyConnection() {
        String room = name("r");
        String suffix = name("");
        for (String user : List.of("b" + suffix, "B" + suffix, "a" + suffix, "_" + suffix)) {
            joined(Math.abs(user.hashCode()) % 3, user, room);
        }
        joined(0, "a" + suffix, room);
        ChatClient asker = connect(2, name("q"));
        assertThat(who(asker, room)).containsExactly("B" + suffix, "_" + suffix, "a" + suffix, "b" + suffix);
    }

    // ---- errors --------------------------------------------------------------------------------

    @Test
    void malformedFrames_areBadRequest_andTheConnectionStaysOpen() {
        ChatClient client = connect(0, name("u"));
        String room = name("r");
        List<String> bad = List.of("not json", "[1,2]", "\"text\"", "{}", "{\"op\":\"fly\"}", "{\"op\":5}",
                "{\"op\":\"join\"}", "{\"op\":\"join\",\"room\":5}", "{\"op\":\"join\",\"room\":\"bad room\"}",
                "{\"op\":\"join\",\"room\":\"" + "r".repeat(129) + "\"}", "{\"op\":\"send\",\"room\":\"" + room + "\",\"body\":5}",
                "{\"op\":\"send\",\"room\":\"bad room\",\"body\":\"x\"}", "{\"op\":\"direct\",\"to\":\"bad user\",\"body\":\"x\"}",
                "{\"op\":\"direct\",\"to\":\"ok\"}", "{\"op\":\"who\"}", "{\"op\":\"leave\",\"room\":null}");
        for (String frame : bad) {
            client.sendText(frame);
            JsonNode error = client.next(WAIT);
            assertThat(error.path("op").asText()).as(frame).isEqualTo("error");
            assertThat(error.path("code").asText()).as(frame).isEqualTo("bad_request");
            assertThat(error.path("reason").asText()).as(frame).isNotBlank();
        }
        assertThat(who(client, room)).isEmpty();
        assertThat(client.isClosed()).isFalse();
    }

    @Test
    void send_toRoomNotJoined_isNotMember_andDeliversNothing() {
        String room = name("r");
        ChatClient member = joined(1, name("m"), room);
        ChatClient stranger = connect(2, name("s"));

        stranger.send("op", "send", "room", room, "body", "intrusion");
        JsonNode error = stranger.next(WAIT);
        assertThat(error.path("code").asText()).isEqualTo("not_member");
        assertThat(error.path("reason").asText()).isNotBlank();

        ChatClient marker = joined(0, name("k"), room);
        marker.send("op", "send", "room", room, "body", "marker");
        assertThat(member.nextOp("msg", WAIT).path("body").asText()).isEqualTo("marker");
    }

    @Test
    void rateLimit_dropsValidFramesOverTheBucket_andInvalidFramesTakeNoToken() {
        String room = name("r");
        ChatClient sender = joined(0, name("s"), room);
        ChatClient receiver = joined(1, name("r"), room);
        for (int i = 0; i < 700; i++) {
            sender.sendText("{\"op\":\"send\",\"room\":\"bad room\",\"body\":\"x\"}");
        }
        for (int i = 0; i < 700; i++) {
            assertThat(sender.next(WAIT).path("code").asText()).isEqualTo("bad_request");
        }
        int sent = 900;
        for (int i = 0; i < sent; i++) {
            sender.send("op", "send", "room", room, "body", Integer.toString(i));
        }
        int limited = 0;
        int echoed = 0;
        while (limited + echoed < sent) {
            JsonNode frame = sender.next(WAIT);
            if ("rate_limited".equals(frame.path("code").asText())) {
                limited++;
            } else if ("msg".equals(frame.path("op").asText())) {
                echoed++;
            }
        }
        assertThat(echoed).as("a full bucket of 600 at least").isGreaterThanOrEqualTo(600);
        assertThat(limited).isGreaterThan(0);
        for (int i = 0; i < echoed; i++) {
            assertThat(receiver.nextOp("msg", WAIT).path("room").asText()).isEqualTo(room);
        }
    }

    @Test
    void messageOfExactlyMaxSize_isAccepted_andOneByteMore_isClosed1009() throws Exception {
        String room = name("r");
        ChatClient sender = joined(2, name("s"), room);
        String prefix = "{\"op\":\"send\",\"room\":\"" + room + "\",\"body\":\"";
        String suffix = "\"}";
        int fill = 65_536 - prefix.length() - suffix.length();
        String exact = prefix + "x".repeat(fill) + suffix;
        assertThat(exact.getBytes(StandardCharsets.UTF_8)).hasSize(65_536);
        sender.sendText(exact);
        assertThat(sender.nextOp("msg", WAIT).path("body").asText()).hasSize(fill);

        ChatClient fragmented = joined(0, name("f"), room);
        String over = prefix + "x".repeat(fill + 1) + suffix;
        fragmented.sendFragmented(over.substring(0, 40_000), over.substring(40_000));
        assertThat(fragmented.awaitClose(WAIT).code()).isEqualTo(1009);

        ChatClient whole = connect(1, name("w"));
        whole.sendText(over);
        assertThat(whole.awaitClose(WAIT).code()).isEqualTo(1009);
    }

    @Test
    void binaryFrame_isClosed1003() {
        ChatClient client = connect(1, name("b"));
        client.sendBinary(new byte[] {1, 2, 3});
        assertThat(client.awaitClose(WAIT).code()).isEqualTo(1003);
    }

    @Test
    void invalidUtf8_isClosed1007_judgedOnTheWholeMessage() throws Exception {
        String user = name("x");
        try (RawWebSocket raw = RawWebSocket.connect(nodes.get(0).port(), "/chat?user=" + user)) {
            assertThat(raw.status()).isEqualTo(101);
            byte[] who = ("{\"op\":\"who\",\"room\":\"r\",\"pad\":\"\u00e9\"}").getBytes(StandardCharsets.UTF_8);
            int split = indexOf(who, (byte) 0xC3) + 1;
            raw.sendFrame(false, RawWebSocket.TEXT, java.util.Arrays.copyOfRange(who, 0, split));
            raw.sendFrame(true, RawWebSocket.CONTINUATION, java.util.Arrays.copyOfRange(who, split, who.length));
            raw.sendFrame(true, RawWebSocket.TEXT, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
            assertThat(raw.awaitClose().code()).isEqualTo(1007);
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }

    // ---- ordering and replies ------------------------------------------------------------------

    @Test
    void repliesComeInFrameOrder_andMessagesFromOneConnectionKeepTheirOrder() {
        String room = name("r");
        ChatClient sender = joined(0, name("s"), room);
        ChatClient r1 = joined(1, name("a"), room);
        ChatClient r2 = joined(2, name("b"), room);
        String other = name("r");
        sender.send("op", "join", "room", other);
        sender.send("op", "who", "room", other);
        sender.send("op", "leave", "room", other);
        assertThat(sender.next(WAIT).path("op").asText()).isEqualTo("joined");
        assertThat(sender.next(WAIT).path("op").asText()).isEqualTo("members");
        assertThat(sender.next(WAIT).path("op").asText()).isEqualTo("left");

        int count = 300;
        for (int i = 0; i < count; i++) {
            sender.send("op", "send", "room", room, "body", Integer.toString(i));
            sender.send("op", "direct", "to", r2.user(), "body", "d" + i);
        }
        for (ChatClient receiver : List.of(r1, r2)) {
            for (int i = 0; i < count; i++) {
                assertThat(receiver.nextOp("msg", WAIT).path("body").asText()).isEqualTo(Integer.toString(i));
            }
        }
    }

    @Test
    void directMessagesFromOneConnection_keepTheirOrder() {
        ChatClient sender = connect(0, name("s"));
        ChatClient receiver = connect(2, name("r"));
        for (int i = 0; i < 300; i++) {
            sender.send("op", "direct", "to", receiver.user(), "body", Integer.toString(i));
        }
        for (int i = 0; i < 300; i++) {
            assertThat(receiver.nextOp("direct", WAIT).path("body").asText()).isEqualTo(Integer.toString(i));
        }
    }

    // ---- health --------------------------------------------------------------------------------

    @Test
    void health_reportsNodeMembersAndSessions_clusterEqualsSumOfLocal() {
        connect(0, name("h"));
        connect(1, name("h"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            int sum = 0;
            int cluster = -1;
            for (int i = 0; i < 3; i++) {
                JsonNode health = nodes.get(i).health();
                assertThat(health.path("_status").asInt()).isEqualTo(200);
                assertThat(health.path("node").isTextual()).isTrue();
                assertThat(health.path("members").asInt()).isEqualTo(3);
                sum += health.path("localSessions").asInt();
                cluster = health.path("clusterSessions").asInt();
            }
            assertThat(cluster).isEqualTo(sum).isGreaterThanOrEqualTo(2);
        });
    }
}
