package io.wscluster.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wscluster.examples.chat.support.ChatCluster;
import io.wscluster.examples.chat.testkit.ChatClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11: the history flags. {@code --history-size 0} turns history off (no {@code offset} or
 * {@code epoch} in any frame, nothing replayed); {@code --history-ttl-ms} ages messages out, after which
 * a resume is refused and the room's sequence restarts in a new epoch. The rest of the history protocol
 * runs in {@link io.wscluster.examples.chat.testkit.ChatHistoryKit} with the default flags.
 */
class ChatHistoryFlagsTest {

    private final List<ChatClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(ChatClient::close);
    }

    private ChatClient client(ChatCluster cluster, int node, String user) {
        ChatClient c = ChatClient.connect(cluster.chat(node, user), user);
        clients.add(c);
        return c;
    }

    @Test
    @DisplayName("--history-size 0: joined and msg carry no offset or epoch; since and last replay nothing")
    void historySizeZero_noPositionsAndNoReplay() {
        String[] off = {"--history-size", "0"};
        try (ChatCluster cluster = ChatCluster.start(2, off, off)) {
            String room = "off";
            ChatClient a = client(cluster, 0, "a");
            ChatClient b = client(cluster, 1, "b");
            JsonNode joined = a.request("joined", "op", "join", "room", room);
            b.join(room);
            assertThat(joined.has("offset")).isFalse();
            assertThat(joined.has("epoch")).isFalse();
            assertThat(joined.has("recovered")).isFalse();
            for (int i = 0; i < 3; i++) {
                a.send("op", "send", "room", room, "body", "m" + i);
            }
            await().atMost(ChatClient.WAIT).until(() -> b.received("msg").size() == 3);
            for (JsonNode msg : b.received("msg")) {
                assertThat(msg.has("offset")).as("%s", msg).isFalse();
                assertThat(msg.has("epoch")).as("%s", msg).isFalse();
            }
            assertThat(b.received("msg")).extracting(f -> f.path("body").asText()).containsExactly("m0", "m1", "m2");

            ChatClient since = client(cluster, 1, "since");
            JsonNode resumed = since.request("joined", "op", "join", "room", room, "since", Map.of("offset", 0, "epoch", "e"));
            assertThat(resumed.has("offset")).isFalse();
            assertThat(resumed.has("recovered")).isFalse();
            ChatClient last = client(cluster, 0, "last");
            last.request("joined", "op", "join", "room", room, "last", 10);
            // Validation is the protocol's whether history is on or off.
            assertThat(last.request("error", "op", "join", "room", "r2", "last", 1001).path("code").asText()).isEqualTo("bad_request");
            a.send("op", "send", "room", room, "body", "live");
            for (ChatClient c : List.of(since, last)) {
                await().atMost(ChatClient.WAIT).until(() -> c.received("msg").size() == 1);
                c.who(room);
                assertThat(c.received("msg")).extracting(f -> f.path("body").asText()).containsExactly("live");
            }
        }
    }

    @Test
    @DisplayName("--history-ttl-ms: once the messages are older, since is recovered:false with no replay; the next message"
            + " starts a new epoch at offset 1")
    void historyTtl_agesMessagesOut_andRestartsTheEpoch() {
        long ttl = 1_500;
        try (ChatCluster cluster = ChatCluster.start(1, new String[] {"--history-ttl-ms", Long.toString(ttl)})) {
            String room = "aging";
            ChatClient sender = client(cluster, 0, "sender");
            String epoch = sender.request("joined", "op", "join", "room", room).path("epoch").asText();
            long sentAt = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                sender.send("op", "send", "room", room, "body", "m" + i);
            }
            await().atMost(ChatClient.WAIT).until(() -> sender.received("msg").size() == 3);
            // Every append is done by now: the room's sequence was last touched before this moment.
            long lastAppendedBy = System.nanoTime();

            ChatClient resumer = client(cluster, 0, "resumer");
            AtomicReference<JsonNode> refused = new AtomicReference<>();
            AtomicReference<Long> refusedAfterNanos = new AtomicReference<>();
            // Resume (and leave again) until the history no longer covers the gap.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                int before = resumer.received().size();
                JsonNode joined = resumer.request("joined", "op", "join", "room", room, "since", Map.of("offset", 0, "epoch", epoch));
                long elapsed = System.nanoTime() - sentAt;
                List<JsonNode> frames = resumer.received().subList(before, resumer.received().size());
                if (joined.path("recovered").asBoolean()) {
                    assertThat(frames).extracting(f -> f.path("op").asText()).containsExactly("msg", "msg", "msg", "joined");
                    resumer.request("left", "op", "leave", "room", room);
                    return false;
                }
                assertThat(frames).extracting(f -> f.path("op").asText()).containsExactly("joined");
                refused.set(joined);
                refusedAfterNanos.set(elapsed);
                return true;
            });
            assertThat(refused.get().path("recovered").isBoolean()).isTrue();
            assertThat(Duration.ofNanos(refusedAfterNanos.get())).isGreaterThanOrEqualTo(Duration.ofMillis(ttl));

            // A refusal comes once the oldest missed message is older than the TTL; the sequence restarts
            // once the room had no message for longer than the TTL, which can be later (under load the
            // three sends are appended over some time). Send the next one after that.
            await().atMost(ChatClient.WAIT).until(() -> System.nanoTime() - lastAppendedBy > TimeUnit.MILLISECONDS.toNanos(ttl));
            int seen = resumer.received("msg").size();
            sender.send("op", "send", "room", room, "body", "fresh");
            await().atMost(ChatClient.WAIT).until(() -> resumer.received("msg").size() == seen + 1);
            JsonNode fresh = resumer.received("msg").get(seen);
            assertThat(fresh.path("body").asText()).isEqualTo("fresh");
            assertThat(fresh.path("offset").asLong()).isEqualTo(1);
            assertThat(fresh.path("epoch").asText()).isNotEqualTo(epoch).isNotEmpty();
        }
    }
}
