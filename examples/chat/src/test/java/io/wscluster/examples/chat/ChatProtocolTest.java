package io.wscluster.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.support.ChatCluster;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.wscluster.examples.chat.testkit.ChatClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every frame and error of chat-protocol.md on a two-node cluster, with senders and receivers on
 * different nodes, over real WebSockets. Limits and closes are in {@link ChatLimitsTest}, the rate
 * limit in {@link RateLimitTest}.
 */
class ChatProtocolTest {

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static ChatCluster cluster;
    private final List<ChatClient> clients = new ArrayList<>();

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

    @org.junit.jupiter.api.AfterEach
    void closeClients() {
        clients.forEach(ChatClient::close);
    }

    private static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    private ChatClient client(int node, String user) {
        ChatClient c = ChatClient.connect(cluster.chat(node, user), user);
        clients.add(c);
        return c;
    }

    // ---- connecting --------------------------------------------------------------------------

    @Test
    @DisplayName("a valid user upgrades; other query parameters are ignored")
    void handshake_validUser_upgrades() {
        assertThat(RawWebSocket.handshakeStatus(cluster.node(0).port(), "/chat?user=alice")).isEqualTo(101);
        assertThat(RawWebSocket.handshakeStatus(cluster.node(0).port(), "/chat?lang=en&user=A.b_c-9&x")).isEqualTo(101);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/chat", "/chat?x=1", "/chat?user=", "/chat?user", "/chat?USER=alice", "/chat?user&user=bob", "/chat?user=alice&user=bob", "/chat?user=alice&user=alice",
            "/chat?user=a%20b", "/chat?user=al!ce", "/chat?user=%C3%BC", "/chat?user=a%2Fb",
            "/chat?user=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    @DisplayName("a missing, repeated or invalid user is refused at the handshake with 4xx")
    void handshake_badUser_refusedWith4xx(String target) {
        assertThat(RawWebSocket.handshakeStatus(cluster.node(1).port(), target)).isBetween(400, 499);
    }

    @Test
    @DisplayName("a user of exactly 64 characters is accepted")
    void handshake_longestUser_upgrades() {
        assertThat(RawWebSocket.handshakeStatus(cluster.node(1).port(), "/chat?user=" + "u".repeat(64))).isEqualTo(101);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/chat/?user=alice", "/Chat?user=alice", "/chat/x?user=alice", "/chats?user=alice", "/chat.html?user=alice"})
    @DisplayName("any path but exactly /chat is refused with 404")
    void handshake_otherPath_404(String target) {
        assertThat(RawWebSocket.handshakeStatus(cluster.node(0).port(), target)).isEqualTo(404);
    }

    @Test
    @DisplayName("the user is compared after percent-decoding")
    void handshake_percentEncodedUser_isDecoded() {
        String room = unique("pct");
        ChatClient encoded = client(0, "%61lice-pct");
        encoded.join(room);
        encoded.send("op", "send", "room", room, "body", "hi");
        assertThat(encoded.await(f -> f.path("op").asText().equals("msg")).path("from").asText()).isEqualTo("alice-pct");
    }

    // ---- join, leave, who ------------------------------------------------------------------

    @Test
    @DisplayName("when joined is sent, who on the other node lists the user and a send from there reaches it")
    void join_visibleOnEveryNodeWhenJoinedArrives() {
        ChatClient observer = client(1, unique("obs"));
        ChatClient sender = client(1, unique("snd"));
        for (int i = 0; i < 10; i++) {
            String room = unique("vis");
            ChatClient joiner = client(0, unique("joiner"));
            joiner.join(room);
            assertThat(observer.who(room)).containsExactly(joiner.user());
            sender.join(room);
            sender.send("op", "send", "room", room, "body", "m" + i);
            String body = "m" + i;
            assertThat(joiner.await(f -> f.path("op").asText().equals("msg") && f.path("body").asText().equals(body))
                    .path("from").asText()).isEqualTo(sender.user());
        }
    }

    @Test
    @DisplayName("joined carries the id of the node that holds the connection (what a page behind a balancer shows)")
    void joined_carriesNodeOfConnection() {
        String room = unique("node-id");
        for (int node = 0; node < 2; node++) {
            ChatClient c = client(node, unique("n" + node));
            JsonNode joined = c.request("joined", "op", "join", "room", room);
            assertThat(joined.path("node").isTextual()).as("node field of %s", joined).isTrue();
            assertThat(joined.path("node").asText()).isEqualTo(cluster.node(node).cluster().localNode().value());
        }
        assertThat(cluster.node(0).cluster().localNode()).isNotEqualTo(cluster.node(1).cluster().localNode());
    }

    @Test
    @DisplayName("join twice is answered twice; one leave ends membership; leaving a room not joined is answered left")
    void joinTwice_leaveOnce_endsMembership() {
        String room = unique("state");
        ChatClient a = client(0, unique("a"));
        ChatClient other = client(1, unique("o"));
        a.join(room);
        a.join(room);
        assertThat(other.who(room)).containsExactly(a.user());
        JsonNode left = a.request("left", "op", "leave", "room", room);
        assertThat(left.path("room").asText()).isEqualTo(room);
        assertThat(other.who(room)).isEmpty();
        assertThat(a.request("left", "op", "leave", "room", unique("never")).path("op").asText()).isEqualTo("left");
        JsonNode error = a.request("error", "op", "send", "room", room, "body", "x");
        assertThat(error.path("code").asText()).isEqualTo("not_member");
    }

    @Test
    @DisplayName("who lists distinct users cluster-wide, sorted by code point, and any connection may ask")
    void who_distinctSortedClusterWide() {
        String room = unique("who");
        String suffix = "-" + SEQ.incrementAndGet();
        String[] users = {"b" + suffix, "B" + suffix, "a" + suffix, "_" + suffix, "9" + suffix, "Z" + suffix, "z.x" + suffix};
        for (int i = 0; i < users.length; i++) {
            client(i % 2, users[i]).join(room);
        }
        client(1, users[0]).join(room); // a second connection of the same user
        ChatClient outsider = client(0, unique("outsider"));
        List<String> expected = new ArrayList<>(List.of(users));
        expected.sort(Users::compareCodePoints);
        assertThat(outsider.who(room)).containsExactlyElementsOf(expected);
        assertThat(expected.get(0)).isEqualTo("9" + suffix);
        assertThat(client(1, unique("x")).who(room)).containsExactlyElementsOf(expected);
        assertThat(outsider.who(unique("empty"))).isEmpty();
    }

    @Test
    @DisplayName("a user who closes every connection leaves who on every node")
    void who_afterClose_userGone() {
        String room = unique("gone");
        ChatClient a = client(0, unique("leaver"));
        ChatClient observer = client(1, unique("obs"));
        a.join(room);
        assertThat(observer.who(room)).containsExactly(a.user());
        a.close();
        await().atMost(ChatClient.WAIT).until(() -> observer.who(room).isEmpty());
    }

    // ---- send and direct ---------------------------------------------------------------------

    @Test
    @DisplayName("send reaches every member on every node, the sender included, and nobody else")
    void send_reachesEveryMemberOnEveryNode() {
        String room = unique("room");
        ChatClient alice = client(0, unique("alice"));
        ChatClient bob = client(1, unique("bob"));
        ChatClient bob2 = client(0, bob.user());
        ChatClient outsider = client(1, unique("out"));
        alice.join(room);
        bob.join(room);
        bob2.join(room);
        outsider.join(unique("elsewhere"));
        alice.send("op", "send", "room", room, "body", "hello", "from", "mallory", "extra", 42);
        for (ChatClient c : List.of(alice, bob, bob2)) {
            JsonNode msg = c.await(f -> f.path("op").asText().equals("msg"));
            assertThat(msg.path("room").asText()).isEqualTo(room);
            assertThat(msg.path("from").asText()).isEqualTo(alice.user());
            assertThat(msg.path("body").asText()).isEqualTo("hello");
        }
        // The outsider gets a later marker of its own room, and never the message.
        outsider.request("members", "op", "who", "room", room);
        assertThat(outsider.received("msg")).isEmpty();
    }

    @Test
    @DisplayName("bodies are carried exactly: empty, unicode, emoji, escapes and lone surrogates")
    void send_bodyCarriedExactly() {
        String room = unique("body");
        ChatClient a = client(0, unique("a"));
        ChatClient b = client(1, unique("b"));
        a.join(room);
        b.join(room);
        String[] bodies = {"", "héllo wörld", "日本語", "😀 emoji", "quote \" backslash \\ newline \n tab \t", "\u0000\u001f",
                "</script>", "lone \ud800 surrogate", "\udc00"};
        for (String body : bodies) {
            // A lone surrogate has no UTF-8 form: a client can only send it as a JSON escape.
            a.sendText(frame("op", "send", "room", room, "body", body).replace("\ud800", "\\ud800").replace("\udc00", "\\udc00"));
        }
        await().atMost(ChatClient.WAIT).until(() -> b.received("msg").size() == bodies.length);
        assertThat(b.received("msg").stream().map(f -> f.path("body").asText())).containsExactly(bodies);
        // The sender's own connection keeps working after a lone surrogate went through it.
        assertThat(a.who(room)).hasSize(2);
    }

    @Test
    @DisplayName("direct reaches every connection of the user on every node; the sender gets no copy")
    void direct_reachesEveryConnectionOfUser() {
        ChatClient alice = client(0, unique("alice"));
        ChatClient bob1 = client(0, unique("bob"));
        ChatClient bob2 = client(1, bob1.user());
        ChatClient carol = client(1, unique("carol"));
        alice.send("op", "direct", "to", bob1.user(), "body", "psst");
        for (ChatClient bob : List.of(bob1, bob2)) {
            JsonNode d = bob.await(f -> f.path("op").asText().equals("direct"));
            assertThat(d.path("from").asText()).isEqualTo(alice.user());
            assertThat(d.path("body").asText()).isEqualTo("psst");
        }
        carol.who(unique("marker"));
        alice.who(unique("marker"));
        assertThat(alice.received("direct")).isEmpty();
        assertThat(carol.received("direct")).isEmpty();
    }

    @Test
    @DisplayName("direct to one's own user reaches the sending connection and the user's other connections")
    void direct_toSelf_sendingConnectionGetsCopy() {
        ChatClient me1 = client(0, unique("me"));
        ChatClient me2 = client(1, me1.user());
        me1.send("op", "direct", "to", me1.user(), "body", "note to self");
        for (ChatClient me : List.of(me1, me2)) {
            assertThat(me.await(f -> f.path("op").asText().equals("direct")).path("from").asText()).isEqualTo(me1.user());
        }
    }

    @Test
    @DisplayName("direct to a user with no connection delivers nothing and answers nothing")
    void direct_toNobody_noAnswer() {
        ChatClient a = client(1, unique("a"));
        int before = a.received().size();
        a.send("op", "direct", "to", unique("nobody"), "body", "hello?");
        JsonNode next = a.request("members", "op", "who", "room", unique("r"));
        assertThat(a.received().subList(before, a.received().size())).containsExactly(next);
    }

    @Test
    @DisplayName("send to a room not joined: not_member, nothing delivered")
    void send_notMember_errorAndNothingDelivered() {
        String room = unique("closed");
        ChatClient member = client(1, unique("member"));
        member.join(room);
        ChatClient stranger = client(0, unique("stranger"));
        JsonNode error = stranger.request("error", "op", "send", "room", room, "body", "let me in");
        assertThat(error.path("code").asText()).isEqualTo("not_member");
        assertThat(error.path("reason").asText()).isNotBlank();
        member.send("op", "send", "room", room, "body", "marker");
        member.await(f -> f.path("body").asText().equals("marker"));
        assertThat(member.received("msg")).extracting(f -> f.path("body").asText()).containsExactly("marker");
    }

    // ---- errors ------------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] <{0}>")
    @ValueSource(strings = {"not json", "", " ", "[]", "\"join\"", "42", "null", "{}", "{\"op\":\"dance\"}", "{\"op\":5}",
            "{\"op\":null,\"room\":\"r\"}", "{\"op\":\"join\"}", "{\"op\":\"join\",\"room\":5}", "{\"op\":\"join\",\"room\":\"\"}",
            "{\"op\":\"join\",\"room\":\"a b\"}", "{\"op\":\"join\",\"room\":\"caf\u00e9\"}", "{\"op\":\"join\",\"room\":[\"r\"]}",
            "{\"op\":\"leave\",\"room\":null}", "{\"op\":\"who\",\"room\":\"r/x\"}", "{\"op\":\"send\",\"room\":\"r\"}",
            "{\"op\":\"send\",\"room\":\"r\",\"body\":null}", "{\"op\":\"send\",\"room\":\"r\",\"body\":7}",
            "{\"op\":\"send\",\"room\":\"r\",\"body\":{\"x\":1}}", "{\"op\":\"send\",\"body\":\"b\"}",
            "{\"op\":\"direct\",\"body\":\"b\"}", "{\"op\":\"direct\",\"to\":\"bad user\",\"body\":\"b\"}",
            "{\"op\":\"direct\",\"to\":\"bob\"}", "{\"op\":\"direct\",\"to\":\"\",\"body\":\"b\"}",
            "{\"op\":\"who\",\"room\":\"r\"} trailing", "{\"op\":\"who\",\"room\":\"r\"}{\"op\":\"who\",\"room\":\"r\"}",
            "{\"op\":\"who\",\"room\":\"r\",\"room\":\"s\"}", "{\"op\":\"JOIN\",\"room\":\"r\"}", "{'op':'join','room':'r'}",
            "{\"op\":\"who\",\"room\":\"r\"", "{\"op\":\"join\",\"room\":\"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\"}",
            "{\"op\":\"msg\",\"room\":\"r\",\"from\":\"x\",\"body\":\"b\"}", "{\"op\":\"joined\",\"room\":\"r\"}"})
    @DisplayName("a malformed frame is answered bad_request and the connection stays open")
    void malformedFrame_badRequest(String text) {
        ChatClient c = client(0, unique("bad"));
        int before = c.received().size();
        c.sendText(text);
        JsonNode error = c.awaitFrom(before, f -> f.path("op").asText().equals("error"));
        assertThat(error.path("code").asText()).isEqualTo("bad_request");
        assertThat(error.path("reason").asText()).isNotBlank();
        assertThat(c.who(unique("still-open"))).isEmpty();
        assertThat(c.received().subList(before, c.received().size())).extracting(f -> f.path("op").asText())
                .containsExactly("error", "members");
    }

    @Test
    @DisplayName("validation comes before membership: an invalid room is bad_request, not not_member")
    void send_invalidRoom_badRequestNotNotMember() {
        ChatClient c = client(1, unique("v"));
        assertThat(c.request("error", "op", "send", "room", "no spaces", "body", "x").path("code").asText()).isEqualTo("bad_request");
        assertThat(c.request("error", "op", "send", "room", "r", "body", 3).path("code").asText()).isEqualTo("bad_request");
    }

    @Test
    @DisplayName("bad input never reaches other users")
    void badInput_neverReachesOthers() {
        String room = unique("quiet");
        ChatClient listener = client(1, unique("listener"));
        listener.join(room);
        ChatClient bad = client(0, unique("bad"));
        bad.join(room);
        for (String text : List.of("{", "{\"op\":\"send\",\"room\":\"" + room + "\"}", "{\"op\":\"send\",\"room\":\"" + room + "\",\"body\":1}",
                "{\"op\":\"direct\",\"to\":\"" + listener.user() + "\"}")) {
            bad.sendText(text);
        }
        bad.send("op", "send", "room", room, "body", "valid");
        listener.await(f -> f.path("body").asText().equals("valid"));
        assertThat(listener.received()).extracting(f -> f.path("op").asText()).containsExactly("joined", "msg");
    }

    // ---- ordering ----------------------------------------------------------------------------

    @Test
    @DisplayName("replies come in the order of the frames that caused them")
    void replies_inFrameOrder() {
        ChatClient c = client(0, unique("pipeline"));
        ChatClient other = client(1, unique("other"));
        String r1 = unique("p");
        String r2 = unique("p");
        other.join(r2);
        int before = c.received().size();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            c.send("op", "join", "room", r1);
            expected.add("joined");
            c.send("op", "who", "room", r2);
            expected.add("members");
            c.sendText("{bad");
            expected.add("error");
            c.send("op", "leave", "room", r1);
            expected.add("left");
            c.send("op", "send", "room", r1, "body", "not a member now");
            expected.add("error");
        }
        await().atMost(ChatClient.WAIT).until(() -> c.received().size() - before >= expected.size());
        assertThat(c.received().subList(before, c.received().size())).extracting(f -> f.path("op").asText())
                .containsExactlyElementsOf(expected);
        assertThat(c.received("error")).extracting(f -> f.path("code").asText()).containsOnly("bad_request", "not_member");
    }

    @Test
    @DisplayName("messages from one connection arrive in send order at every receiver, to a room and to a user")
    void messages_keepPerSenderOrder() {
        String room = unique("order");
        ChatClient sender = client(0, unique("sender"));
        ChatClient remote = client(1, unique("remote"));
        ChatClient local = client(0, unique("local"));
        sender.join(room);
        remote.join(room);
        local.join(room);
        int count = 250; // 500 frames: within the default burst of 600
        for (int i = 0; i < count; i++) {
            sender.send("op", "send", "room", room, "body", Integer.toString(i));
            sender.send("op", "direct", "to", remote.user(), "body", Integer.toString(i));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(Integer.toString(i));
        }
        for (ChatClient c : List.of(sender, remote, local)) {
            await().atMost(ChatClient.WAIT).until(() -> c.received("msg").size() >= count);
            assertThat(c.received("msg")).extracting(f -> f.path("body").asText()).containsExactlyElementsOf(expected);
        }
        await().atMost(ChatClient.WAIT).until(() -> remote.received("direct").size() >= count);
        assertThat(remote.received("direct")).extracting(f -> f.path("body").asText()).containsExactlyElementsOf(expected);
    }
}
