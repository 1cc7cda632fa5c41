package io.wscluster.examples.chat.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chat protocol's history, offsets and resume (PROTOCOL.md, "History, offsets and resume"), on top of
 * the rest of the protocol ({@link ChatProtocolKit}), on three chat nodes of one cluster running the
 * default history flags ({@code --history-size 100}, {@code --history-ttl-ms 300000}). Senders, receivers
 * and resuming clients sit on different nodes. History turned off ({@code --history-size 0}), the age
 * limit and the rate limit are checked in tests of their own, with other flags.
 */
public abstract class ChatHistoryKit extends ChatProtocolKit {

    /** The nodes' {@code --history-size}. */
    protected static final int HISTORY_SIZE = 100;

    private static final AtomicInteger SEQ = new AtomicInteger();
    private final List<ChatClient> mine = new ArrayList<>();

    @AfterEach
    void closeHistoryClients() {
        mine.forEach(ChatClient::close);
    }

    private ChatClient at(int node, String user) {
        ChatClient c = ChatClient.connect(URI.create("ws://127.0.0.1:" + port(node) + "/chat?user=" + user), user);
        mine.add(c);
        return c;
    }

    private static String unique(String prefix) {
        return prefix + "-h" + SEQ.incrementAndGet();
    }

    /** Joins with extra join fields (since, last) and returns the {@code joined} answer. */
    private static JsonNode join(ChatClient c, String room, Object... extra) {
        Object[] frame = ChatClient.joinFrame(room, extra);
        JsonNode joined = c.request("joined", frame);
        assertThat(joined.path("room").asText()).isEqualTo(room);
        return joined;
    }

    private static Map<String, Object> position(long offset, String epoch) {
        return Map.of("offset", offset, "epoch", epoch);
    }

    /** The room's {@code msg} frames the client received so far. */
    private static List<JsonNode> msgs(ChatClient c, String room) {
        return c.received("msg").stream().filter(f -> room.equals(f.path("room").asText())).toList();
    }

    private static List<Long> offsets(List<JsonNode> frames) {
        return frames.stream().map(f -> f.path("offset").asLong()).toList();
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static void awaitMsgs(ChatClient c, String room, int count) {
        await().atMost(ChatClient.WAIT).until(() -> msgs(c, room).size() >= count);
    }

    /** Sends bodies {@code prefix0..} from a member and waits for its own copies: every one is numbered then. */
    private static void sendNumbered(ChatClient sender, String room, String prefix, int count) {
        int before = msgs(sender, room).size();
        for (int i = 0; i < count; i++) {
            sender.send("op", "send", "room", room, "body", prefix + i);
        }
        awaitMsgs(sender, room, before + count);
    }

    /** The frames received from index {@code from} up to and including the first {@code joined}. */
    private static List<JsonNode> upToJoined(ChatClient c, int from) {
        List<JsonNode> all = c.received();
        List<JsonNode> out = new ArrayList<>();
        for (int i = from; i < all.size(); i++) {
            out.add(all.get(i));
            if ("joined".equals(all.get(i).path("op").asText())) {
                return out;
            }
        }
        throw new AssertionError("no joined after frame " + from + ": " + all);
    }

    private static void assertPosition(JsonNode frame) {
        assertThat(frame.path("offset").isIntegralNumber()).as("offset of %s", frame).isTrue();
        assertThat(frame.path("offset").asLong()).as("offset of %s", frame).isNotNegative();
        assertThat(frame.path("epoch").isTextual()).as("epoch of %s", frame).isTrue();
        assertThat(frame.path("epoch").asText()).as("epoch of %s", frame).isNotEmpty().hasSizeLessThanOrEqualTo(64);
    }

    // ---- offsets and epochs ------------------------------------------------------------------

    @Test
    @DisplayName("history: joined and msg carry offset and epoch; a room's offsets count 1, 2, 3... cluster-wide")
    void history_offsetsContiguous_epochsPresent() {
        String room = unique("offsets");
        ChatClient a = at(0, unique("a"));
        ChatClient b = at(1, unique("b"));
        JsonNode ja = join(a, room);
        JsonNode jb = join(b, room);
        assertPosition(ja);
        assertPosition(jb);
        assertThat(ja.path("offset").asLong()).isZero();
        assertThat(jb.path("offset").asLong()).isZero();
        String epoch = ja.path("epoch").asText();
        assertThat(jb.path("epoch").asText()).isEqualTo(epoch);
        assertThat(ja.has("recovered")).isFalse();

        for (int i = 0; i < 10; i++) {
            (i % 2 == 0 ? a : b).send("op", "send", "room", room, "body", "m" + i);
        }
        for (ChatClient c : List.of(a, b)) {
            awaitMsgs(c, room, 10);
            msgs(c, room).forEach(ChatHistoryKit::assertPosition);
            assertThat(offsets(msgs(c, room))).containsExactlyElementsOf(range(1, 10));
            assertThat(msgs(c, room)).extracting(f -> f.path("epoch").asText()).containsOnly(epoch);
        }
        assertThat(msgs(b, room)).extracting(f -> f.path("body").asText())
                .containsExactlyElementsOf(msgs(a, room).stream().map(f -> f.path("body").asText()).toList());

        ChatClient c = at(2, unique("c"));
        JsonNode jc = join(c, room);
        assertThat(jc.path("offset").asLong()).isEqualTo(10);
        assertThat(jc.path("epoch").asText()).isEqualTo(epoch);
        a.send("op", "send", "room", room, "body", "after");
        awaitMsgs(c, room, 1);
        c.who(unique("marker"));
        assertThat(msgs(c, room)).hasSize(1);
        assertThat(msgs(c, room).get(0).path("offset").asLong()).isEqualTo(11);
        assertThat(msgs(c, room).get(0).path("body").asText()).isEqualTo("after");
    }

    @Test
    @DisplayName("history: three senders on three nodes; every member on every node sees one sequence, offsets 1..N")
    void history_totalOrder_threeSendersOnThreeNodes() throws Exception {
        String room = unique("total");
        int perSender = 100;
        List<ChatClient> senders = new ArrayList<>();
        List<ChatClient> members = new ArrayList<>();
        for (int node = 0; node < NODES; node++) {
            ChatClient sender = at(node, unique("s" + node));
            ChatClient receiver = at(node, unique("r" + node));
            join(sender, room);
            join(receiver, room);
            senders.add(sender);
            members.add(sender);
            members.add(receiver);
        }
        ExecutorService pool = Executors.newFixedThreadPool(NODES);
        try {
            List<CompletableFuture<Void>> sending = new ArrayList<>();
            for (ChatClient sender : senders) {
                sending.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perSender; i++) {
                        sender.send("op", "send", "room", room, "body", sender.user() + ":" + i);
                    }
                }, pool));
            }
            CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        int total = perSender * NODES;
        for (ChatClient member : members) {
            awaitMsgs(member, room, total);
            member.who(unique("marker"));
        }
        List<String> sequence = msgs(members.get(0), room).stream().map(f -> f.path("body").asText()).toList();
        String epoch = msgs(members.get(0), room).get(0).path("epoch").asText();
        for (ChatClient member : members) {
            List<JsonNode> got = msgs(member, room);
            assertThat(offsets(got)).as("offsets at %s", member.user()).containsExactlyElementsOf(range(1, total));
            assertThat(got).extracting(f -> f.path("epoch").asText()).containsOnly(epoch);
            assertThat(got).extracting(f -> f.path("body").asText()).as("sequence at %s", member.user())
                    .containsExactlyElementsOf(sequence);
        }
        for (ChatClient sender : senders) {
            List<String> own = sequence.stream().filter(b -> b.startsWith(sender.user() + ":")).toList();
            assertThat(own).containsExactlyElementsOf(LongStream.range(0, perSender).mapToObj(i -> sender.user() + ":" + i).toList());
        }
    }

    // ---- since -------------------------------------------------------------------------------

    @Test
    @DisplayName("history: since on another node replays exactly the missed messages, once, in order, then joined"
            + " recovered:true, then live")
    void since_onAnotherNode_recoversTheMissedMessagesThenLive() {
        String room = unique("resume");
        ChatClient sender = at(1, unique("s"));
        join(sender, room);
        ChatClient away = at(0, unique("away"));
        String epoch = join(away, room).path("epoch").asText();
        sendNumbered(sender, room, "seen", 5);
        awaitMsgs(away, room, 5);
        long last = msgs(away, room).get(4).path("offset").asLong();
        assertThat(last).isEqualTo(5);
        away.close();
        sendNumbered(sender, room, "missed", 7);

        ChatClient back = at(2, away.user());
        JsonNode joined = join(back, room, "since", position(last, epoch));
        assertThat(joined.path("recovered").isBoolean()).isTrue();
        assertThat(joined.path("recovered").asBoolean()).isTrue();
        assertThat(joined.path("offset").asLong()).isEqualTo(12);
        assertThat(joined.path("epoch").asText()).isEqualTo(epoch);
        List<JsonNode> replay = upToJoined(back, 0);
        assertThat(replay).extracting(f -> f.path("op").asText()).containsExactly("msg", "msg", "msg", "msg", "msg", "msg", "msg", "joined");
        assertThat(offsets(replay.subList(0, 7))).containsExactlyElementsOf(range(6, 12));
        assertThat(replay.subList(0, 7)).extracting(f -> f.path("body").asText())
                .containsExactly("missed0", "missed1", "missed2", "missed3", "missed4", "missed5", "missed6");
        assertThat(replay.subList(0, 7)).extracting(f -> f.path("from").asText()).containsOnly(sender.user());

        sender.send("op", "send", "room", room, "body", "live");
        awaitMsgs(back, room, 8);
        back.who(unique("marker"));
        assertThat(offsets(msgs(back, room))).containsExactlyElementsOf(range(6, 13));
        assertThat(msgs(back, room).get(7).path("body").asText()).isEqualTo("live");
    }

    @Test
    @DisplayName("history: since the latest offset replays nothing; since offset 0 replays every held message; both recovered")
    void since_latestOrZero_recovered() {
        String room = unique("edges");
        ChatClient sender = at(0, unique("s"));
        String epoch = join(sender, room).path("epoch").asText();
        sendNumbered(sender, room, "m", 4);

        ChatClient current = at(1, unique("cur"));
        JsonNode upToDate = join(current, room, "since", position(4, epoch));
        assertThat(upToDate.path("recovered").asBoolean()).isTrue();
        assertThat(upToDate.path("offset").asLong()).isEqualTo(4);
        assertThat(upToJoined(current, 0)).hasSize(1);

        ChatClient fromStart = at(2, unique("zero"));
        JsonNode all = join(fromStart, room, "since", position(0, epoch));
        assertThat(all.path("recovered").asBoolean()).isTrue();
        assertThat(offsets(upToJoined(fromStart, 0).subList(0, 4))).containsExactlyElementsOf(range(1, 4));
        assertThat(upToJoined(fromStart, 0)).hasSize(5);
    }

    @Test
    @DisplayName("history: since beyond the history's size, of another epoch, or past the latest offset: recovered:false,"
            + " nothing replayed, then live")
    void since_notCovered_recoveredFalseAndNoReplay() {
        String room = unique("gap");
        ChatClient sender = at(0, unique("s"));
        String epoch = join(sender, room).path("epoch").asText();
        int sent = HISTORY_SIZE + 5;
        sendNumbered(sender, room, "m", sent);

        List<ChatClient> refused = new ArrayList<>();
        List<String> joins = List.of(
                ChatClient.frame("op", "join", "room", room, "since", position(1, epoch)),
                ChatClient.frame("op", "join", "room", room, "since", position(sent - 1, epoch + "x")),
                ChatClient.frame("op", "join", "room", room, "since", position(sent + 50, epoch)),
                "{\"op\":\"join\",\"room\":\"" + room + "\",\"since\":{\"offset\":123456789012345678901234567890,\"epoch\":\""
                        + epoch + "\"}}",
                ChatClient.frame("op", "join", "room", room, "since", position(sent, "e".repeat(64))));
        for (int i = 0; i < joins.size(); i++) {
            ChatClient c = at(1 + i % 2, unique("late"));
            c.sendText(joins.get(i));
            JsonNode joined = c.await(f -> "joined".equals(f.path("op").asText()));
            assertThat(joined.path("recovered").isBoolean()).as(joins.get(i)).isTrue();
            assertThat(joined.path("recovered").asBoolean()).as(joins.get(i)).isFalse();
            assertThat(joined.path("offset").asLong()).as(joins.get(i)).isEqualTo(sent);
            assertThat(joined.path("epoch").asText()).as(joins.get(i)).isEqualTo(epoch);
            assertThat(upToJoined(c, 0)).as(joins.get(i)).hasSize(1);
            refused.add(c);
        }
        sender.send("op", "send", "room", room, "body", "live");
        for (ChatClient c : refused) {
            awaitMsgs(c, room, 1);
            c.who(unique("marker"));
            assertThat(offsets(msgs(c, room))).containsExactly((long) sent + 1);
        }
    }

    @Test
    @DisplayName("history: since or last on a room already joined is answered like a repeated join: no replay, no recovered")
    void sinceOrLast_whenAlreadyMember_isAPlainRepeatedJoin() {
        String room = unique("again");
        ChatClient member = at(0, unique("m"));
        String epoch = join(member, room).path("epoch").asText();
        sendNumbered(member, room, "m", 3);
        int before = member.received().size();
        JsonNode again = join(member, room, "since", position(0, epoch));
        assertThat(again.has("recovered")).isFalse();
        JsonNode last = join(member, room, "last", 10);
        assertThat(last.has("recovered")).isFalse();
        member.who(unique("marker"));
        assertThat(member.received().subList(before, member.received().size())).extracting(f -> f.path("op").asText())
                .containsExactly("joined", "joined", "members");
        assertThat(offsets(msgs(member, room))).containsExactlyElementsOf(range(1, 3));
    }

    // ---- last ----------------------------------------------------------------------------------

    @Test
    @DisplayName("history: last:K on a fresh room replays nothing; on a long room the latest min(K, held), then live")
    void last_onFreshAndLongRooms() {
        String room = unique("last");
        ChatClient first = at(0, unique("first"));
        JsonNode fresh = join(first, room, "last", 50);
        assertThat(fresh.path("offset").asLong()).isZero();
        assertThat(fresh.has("recovered")).isFalse();
        assertThat(upToJoined(first, 0)).hasSize(1);

        int sent = HISTORY_SIZE + 20;
        sendNumbered(first, room, "m", sent);

        ChatClient fifty = at(1, unique("fifty"));
        JsonNode j50 = join(fifty, room, "last", 50);
        assertThat(j50.path("offset").asLong()).isEqualTo(sent);
        assertThat(j50.has("recovered")).isFalse();
        List<JsonNode> replay50 = upToJoined(fifty, 0);
        assertThat(replay50).hasSize(51);
        assertThat(offsets(replay50.subList(0, 50))).containsExactlyElementsOf(range(sent - 49, sent));
        assertThat(replay50.get(49).path("body").asText()).isEqualTo("m" + (sent - 1));

        ChatClient all = at(2, unique("all"));
        join(all, room, "last", 1000);
        List<JsonNode> replayAll = upToJoined(all, 0);
        assertThat(replayAll).hasSize(HISTORY_SIZE + 1);
        assertThat(offsets(replayAll.subList(0, HISTORY_SIZE))).containsExactlyElementsOf(range(sent - HISTORY_SIZE + 1, sent));

        ChatClient none = at(2, unique("none"));
        assertThat(join(none, room, "last", 0).path("offset").asLong()).isEqualTo(sent);
        assertThat(upToJoined(none, 0)).hasSize(1);

        first.send("op", "send", "room", room, "body", "live");
        for (ChatClient c : List.of(fifty, all, none)) {
            awaitMsgs(c, room, c == none ? 1 : c == fifty ? 51 : HISTORY_SIZE + 1);
            c.who(unique("marker"));
            List<JsonNode> got = msgs(c, room);
            assertThat(got.get(got.size() - 1).path("offset").asLong()).isEqualTo(sent + 1);
            assertThat(offsets(got)).doesNotHaveDuplicates().isSorted();
        }
        assertThat(msgs(none, room)).hasSize(1);
    }

    // ---- validation ----------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"\"since\":\"5\"", "\"since\":5", "\"since\":null", "\"since\":[]", "\"since\":true",
            "\"since\":{}", "\"since\":{\"epoch\":\"e\"}", "\"since\":{\"offset\":-1,\"epoch\":\"e\"}",
            "\"since\":{\"offset\":1.5,\"epoch\":\"e\"}", "\"since\":{\"offset\":\"1\",\"epoch\":\"e\"}",
            "\"since\":{\"offset\":null,\"epoch\":\"e\"}", "\"since\":{\"offset\":1}", "\"since\":{\"offset\":1,\"epoch\":\"\"}",
            "\"since\":{\"offset\":1,\"epoch\":5}", "\"since\":{\"offset\":1,\"epoch\":null}",
            "\"since\":{\"offset\":1,\"epoch\":[\"e\"]}",
            "\"since\":{\"offset\":1,\"epoch\":\"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\"}",
            "\"last\":-1", "\"last\":1001", "\"last\":1.5", "\"last\":\"5\"", "\"last\":null", "\"last\":true", "\"last\":{}",
            "\"last\":99999999999999999999", "\"last\":5,\"since\":{\"offset\":1,\"epoch\":\"e\"}",
            "\"since\":{\"offset\":1,\"epoch\":\"e\"},\"last\":0"})
    @DisplayName("history: a bad since or last is bad_request; the connection stays open and joins nothing")
    void badSinceOrLast_badRequest(String fields) {
        String room = unique("bad");
        ChatClient c = at(0, unique("bad"));
        c.sendText("{\"op\":\"join\",\"room\":\"" + room + "\"," + fields + "}");
        JsonNode error = c.next(ChatClient.WAIT);
        assertThat(error.path("op").asText()).isEqualTo("error");
        assertThat(error.path("code").asText()).isEqualTo("bad_request");
        assertThat(error.path("reason").asText()).isNotBlank();
        assertThat(c.who(room)).isEmpty();
        assertThat(c.isOpen()).isTrue();
    }

    @Test
    @DisplayName("history: the bounds themselves are valid: last 0 and 1000, offset 0, an epoch of 64 characters")
    void sinceAndLast_boundsAreValid() {
        String room = unique("bounds");
        List<Object[]> valid = List.of(new Object[] {"last", 0}, new Object[] {"last", 1000},
                new Object[] {"since", position(0, "e")}, new Object[] {"since", position(0, "e".repeat(64))});
        for (Object[] extra : valid) {
            ChatClient c = at(1, unique("ok"));
            JsonNode joined = join(c, room, extra);
            assertPosition(joined);
            assertThat(c.who(room)).contains(c.user());
        }
    }
}
