package io.wscluster.examples.chat.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.wscluster.examples.chat.testkit.ChatClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chat protocol (examples/chat/PROTOCOL.md), every frame, error and close, written once and run
 * on any three chat nodes of one cluster, with senders and receivers on different nodes over real
 * WebSockets. A subclass starts the nodes once per class (in this JVM, or as processes) and names them
 * by index 0 to 2; cases only meaningful in one mode stay in that subclass.
 *
 * <p>Merged from the in-JVM {@code ChatProtocolTest} and the process {@code ChatConformanceTest}: where
 * both checked the same thing, the stricter check is kept (a bad user must be refused with 4xx at the
 * handshake; closing with 1008 after a 101 no longer passes; leaving a room not joined is answered
 * with exactly {@code {"op":"left","room":...}} as the next frame; a direct to nobody is followed by
 * nothing but the empty answer to a later {@code who}). Cases from the in-JVM suite connect with
 * {@link ChatClient#connect}, those from the process suite with {@link ChatClient#handshake}, as before.
 */
public abstract class ChatProtocolKit {

    /** How many nodes the kit uses (indices 0 to 2): a subclass runs exactly this many in one cluster. */
    public static final int NODES = 3;

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final List<ChatClient> clients = new ArrayList<>();

    /**
     * @param node 0 to {@link #NODES} - 1
     * @return the node's HTTP and WebSocket port on 127.0.0.1
     */
    protected abstract int port(int node);

    /**
     * @param node 0 to {@link #NODES} - 1
     * @return the id of the node in the cluster (what {@code joined} carries)
     */
    protected abstract String nodeId(int node);

    @AfterEach
    void closeClients() {
        clients.forEach(ChatClient::close);
    }

    /**
     * @param node a node
     * @param user put in the query as it is
     * @return {@code ws://127.0.0.1:PORT/chat?user=USER}
     */
    protected URI chat(int node, String user) {
        return URI.create("ws://127.0.0.1:" + port(node) + "/chat?user=" + user);
    }

    private static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    private static String name(String prefix) {
        return prefix + SEQ.incrementAndGet();
    }

    /** A client that waited until its frames are handled (the in-JVM suite's way). */
    private ChatClient client(int node, String user) {
        ChatClient c = ChatClient.connect(chat(node, user), user);
        clients.add(c);
        return c;
    }

    /** A client straight after the handshake (the process suite's way). */
    private ChatClient connect(int node, String user) {
        ChatClient c = ChatClient.handshake(chat(node, user), user);
        clients.add(c);
        return c;
    }

    private ChatClient joined(int node, String user, String room) {
        ChatClient client = connect(node, user);
        client.send("op", "join", "room", room);
        assertThat(withoutNode(client.next(WAIT))).isEqualTo(json("{\"op\":\"joined\",\"room\":\"" + room + "\"}"));
        return client;
    }

    /**
     * A joined frame without its {@code node} field, an extra field (server frames may carry them) that
     * names the node holding the connection, checked in {@link #joined_carriesNodeOfConnection}, and without
     * the room position of protocol 2 ({@code offset} and {@code epoch}, both or neither), checked in
     * {@link ChatHistoryKit}.
     */
    private static JsonNode withoutNode(JsonNode frame) {
        JsonNode copy = frame.deepCopy();
        if (copy instanceof ObjectNode object) {
            object.remove("node");
            assertThat(object.has("offset")).as("offset and epoch come together: %s", frame).isEqualTo(object.has("epoch"));
            object.remove("offset");
            object.remove("epoch");
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

    /** Sends {@code who} through the queue and returns the users of the answer. */
    private static List<String> whoOf(ChatClient client, String room) {
        client.send("op", "who", "room", room);
        JsonNode members = client.nextOp("members", WAIT);
        assertThat(members.path("room").asText()).isEqualTo(room);
        List<String> users = new ArrayList<>();
        members.path("users").forEach(u -> users.add(u.asText()));
        return users;
    }

    private static int compareCodePoints(String a, String b) {
        return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }

    private static ConditionFactory poll() {
        return await().atMost(ChatClient.WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    /** @return GET /health of a node as JSON, with its status code in field {@code _status} */
    private JsonNode health(int node) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(node) + "/health"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            ObjectNode body = (ObjectNode) ChatClient.JSON.readTree(response.body());
            body.put("_status", response.statusCode());
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- connecting --------------------------------------------------------------------------

    @Test
    @DisplayName("a valid user upgrades; other query parameters are ignored")
    void handshake_validUser_upgrades() {
        assertThat(RawWebSocket.handshakeStatus(port(0), "/chat?user=alice")).isEqualTo(101);
        assertThat(RawWebSocket.handshakeStatus(port(0), "/chat?lang=en&user=A.b_c-9&x")).isEqualTo(101);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/chat", "/chat?x=1", "/chat?user=", "/chat?user", "/chat?USER=alice", "/chat?user&user=bob", "/chat?user=alice&user=bob", "/chat?user=alice&user=alice",
            "/chat?user=a%20b", "/chat?user=al!ce", "/chat?user=%C3%BC", "/chat?user=a%2Fb",
            "/chat?user=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "/chat?user=a&user=b", "/chat?user=caf%C3%A9", "/chat?other=x"})
    @DisplayName("a missing, repeated or invalid user is refused at the handshake with 4xx")
    void handshake_badUser_refusedWith4xx(String target) {
        assertThat(RawWebSocket.handshakeStatus(port(1), target)).isBetween(400, 499);
    }

    @Test
    @DisplayName("a user of exactly 64 characters is accepted")
    void handshake_longestUser_upgrades() {
        assertThat(RawWebSocket.handshakeStatus(port(1), "/chat?user=" + "u".repeat(64))).isEqualTo(101);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/chat/?user=alice", "/Chat?user=alice", "/chat/x?user=alice", "/chats?user=alice", "/chat.html?user=alice"})
    @DisplayName("any path but exactly /chat is refused with 404")
    void handshake_otherPath_404(String target) {
        assertThat(RawWebSocket.handshakeStatus(port(0), target)).isEqualTo(404);
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
            assertThat(joined.path("node").asText()).isEqualTo(nodeId(node));
        }
        assertThat(nodeId(0)).isNotEqualTo(nodeId(1));
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
        String never = unique("never");
        int beforeNever = a.received().size();
        a.request("left", "op", "leave", "room", never);
        assertThat(a.received().get(beforeNever)).isEqualTo(json("{\"op\":\"left\",\"room\":\"" + never + "\"}"));
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
        expected.sort(ChatProtocolKit::compareCodePoints);
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
        poll().until(() -> observer.who(room).isEmpty());
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
        poll().until(() -> b.received("msg").size() == bodies.length);
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
        String room = unique("r");
        JsonNode next = a.request("members", "op", "who", "room", room);
        assertThat(a.received().subList(before, a.received().size())).containsExactly(next);
        assertThat(next.path("room").asText()).isEqualTo(room);
        assertThat(next.path("users")).isEmpty();
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
        poll().until(() -> c.received().size() - before >= expected.size());
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
            poll().until(() -> c.received("msg").size() >= count);
            assertThat(c.received("msg")).extracting(f -> f.path("body").asText()).containsExactlyElementsOf(expected);
        }
        poll().until(() -> remote.received("direct").size() >= count);
        assertThat(remote.received("direct")).extracting(f -> f.path("body").asText()).containsExactlyElementsOf(expected);
    }

    // ---- connecting (cases from the process suite) -----------------------------------------------

    @Test
    void connect_percentEncodedValidUser_isAcceptedAfterDecoding() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(port(2), "/chat?user=%41lice.%5F-1&ignored=1")) {
            assertThat(raw.status()).isEqualTo(101);
        }
        ChatClient alice = connect(2, "Alice._-1");
        String room = name("r");
        alice.send("op", "join", "room", room);
        alice.nextOp("joined", WAIT);
        assertThat(whoOf(alice, room)).containsExactly("Alice._-1");
    }

    // ---- join / leave ----------------------------------------------------------------------------

    @Test
    void join_whenAnswered_isVisibleOnEveryNode() {
        String room = name("r");
        String user = name("u");
        ChatClient member = joined(0, user, room);
        ChatClient onNode1 = connect(1, name("o"));
        ChatClient onNode2 = joined(2, name("s"), room);

        assertThat(whoOf(onNode1, room)).contains(user);
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
        assertThat(whoOf(observer, room)).isEmpty();
        client.send("op", "send", "room", room, "body", "x");
        assertThat(client.next(WAIT).path("code").asText()).isEqualTo("not_member");
    }

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
        assertThat(whoOf(outsider, room)).hasSize(3);
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
        assertThat(whoOf(sender, name("empty"))).isEmpty();
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
    void who_listsDistinctUsersSortedByCodePoint_forAnyConnection() {
        String room = name("r");
        String suffix = name("");
        for (String user : List.of("b" + suffix, "B" + suffix, "a" + suffix, "_" + suffix)) {
            joined(Math.abs(user.hashCode()) % 3, user, room);
        }
        joined(0, "a" + suffix, room);
        ChatClient asker = connect(2, name("q"));
        assertThat(whoOf(asker, room)).containsExactly("B" + suffix, "_" + suffix, "a" + suffix, "b" + suffix);
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
        assertThat(whoOf(client, room)).isEmpty();
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
        try (RawWebSocket raw = RawWebSocket.connect(port(0), "/chat?user=" + user)) {
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
                JsonNode health = health(i);
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
