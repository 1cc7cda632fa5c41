package io.wscluster.examples.chat;

import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.support.ChatCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The per-connection token bucket: node 0 runs {@code --rate-limit 1 --rate-burst 3} (a burst of three,
 * then one frame a second), node 1 runs {@code --rate-limit 0} (no limit).
 */
class RateLimitTest {

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static ChatCluster cluster;
    private final List<ChatClient> clients = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = ChatCluster.start(2, new String[] {"--rate-limit", "1", "--rate-burst", "3"}, new String[] {"--rate-limit", "0"});
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(ChatClient::close);
    }

    private ChatClient client(int node, String prefix) {
        String user = prefix + "-" + SEQ.incrementAndGet();
        ChatClient c = ChatClient.connect(cluster.chat(node, user), user);
        clients.add(c);
        return c;
    }

    @Test
    @DisplayName("a new connection has a full bucket; past it, frames are answered rate_limited and dropped")
    void burstThenRateLimited() {
        String room = "rl-" + SEQ.incrementAndGet();
        ChatClient listener = client(1, "listener");
        listener.join(room);
        ChatClient sender = client(0, "sender");
        sender.join(room);
        long start = System.nanoTime();
        int sent = 8;
        for (int i = 0; i < sent; i++) {
            sender.send("op", "send", "room", room, "body", Integer.toString(i));
        }
        // A final who: its reply comes after every reply to the sends.
        sender.who(room);
        long elapsedSeconds = (System.nanoTime() - start) / 1_000_000_000L;
        int limited = sender.received("error").size();
        assertThat(sender.received("error")).allSatisfy(e -> {
            assertThat(e.path("code").asText()).isEqualTo("rate_limited");
            assertThat(e.path("reason").asText()).isNotBlank();
        });
        int passed = sent - limited;
        assertThat(passed).isBetween(3, 3 + (int) elapsedSeconds + 1);
        await().atMost(ChatClient.WAIT).until(() -> listener.received("msg").size() == passed);
        // A marker sent on the sender's node after the sends arrives after any copy of a dropped one.
        ChatClient marker = client(0, "marker");
        marker.join(room);
        marker.send("op", "send", "room", room, "body", "marker");
        listener.await(f -> f.path("body").asText().equals("marker"));
        assertThat(listener.received("msg")).hasSize(passed + 1);
        // The messages that passed are the first ones: the bucket starts full.
        assertThat(listener.received("msg").get(0).path("body").asText()).isEqualTo("0");
        assertThat(listener.received("msg").get(2).path("body").asText()).isEqualTo("2");
        assertThat(sender.isOpen()).isTrue();
    }

    @Test
    @DisplayName("direct frames take tokens too")
    void directTakesTokens() {
        ChatClient target = client(1, "target");
        ChatClient sender = client(0, "sender");
        for (int i = 0; i < 6; i++) {
            sender.send("op", "direct", "to", target.user(), "body", Integer.toString(i));
        }
        sender.who("marker");
        assertThat(sender.received("error")).extracting(e -> e.path("code").asText()).isNotEmpty().containsOnly("rate_limited");
        int passed = 6 - sender.received("error").size();
        await().atMost(ChatClient.WAIT).until(() -> target.received("direct").size() == passed);
        // A marker sent on the sender's node after the frames arrives after any copy of a dropped one.
        client(0, "marker").send("op", "direct", "to", target.user(), "body", "marker");
        target.await(f -> f.path("body").asText().equals("marker"));
        assertThat(target.received("direct")).hasSize(passed + 1);
    }

    @Test
    @DisplayName("frames answered bad_request or not_member, and join, leave and who, take no token")
    void invalidFrames_takeNoToken() {
        String room = "free-" + SEQ.incrementAndGet();
        ChatClient listener = client(1, "listener");
        listener.join(room);
        ChatClient sender = client(0, "sender");
        for (int i = 0; i < 10; i++) {
            sender.sendText("{\"op\":\"send\",\"room\":\"" + room + "\",\"body\":" + i + "}");
            sender.send("op", "send", "room", "bad room", "body", "x");
            sender.send("op", "direct", "to", "bad user", "body", "x");
            sender.send("op", "send", "room", room, "body", "not yet a member");
            sender.send("op", "who", "room", room);
        }
        sender.join(room);
        sender.send("op", "leave", "room", room);
        sender.join(room);
        for (int i = 0; i < 3; i++) {
            sender.send("op", "send", "room", room, "body", "ok" + i);
        }
        sender.who(room);
        assertThat(sender.received("error")).extracting(e -> e.path("code").asText()).containsOnly("bad_request", "not_member")
                .hasSize(40);
        // The last valid send comes after every refused one from the same connection, so once it arrived a
        // refused frame that was delivered anyway would be there too.
        listener.await(f -> f.path("body").asText().equals("ok2"));
        assertThat(listener.received("msg")).extracting(f -> f.path("body").asText()).containsExactly("ok0", "ok1", "ok2");
    }

    @Test
    @DisplayName("--rate-limit 0 turns the limit off")
    void rateLimitZero_noLimit() {
        String room = "unlimited-" + SEQ.incrementAndGet();
        ChatClient sender = client(1, "fast");
        sender.join(room);
        int count = 1_500;
        for (int i = 0; i < count; i++) {
            sender.send("op", "send", "room", room, "body", Integer.toString(i));
        }
        await().atMost(ChatClient.WAIT).until(() -> sender.received("msg").size() == count);
        assertThat(sender.received("error")).isEmpty();
    }

    @Test
    @DisplayName("each connection has its own bucket")
    void bucketsArePerConnection() {
        ChatClient target = client(1, "target");
        ChatClient first = client(0, "first");
        for (int i = 0; i < 5; i++) {
            first.send("op", "direct", "to", target.user(), "body", "a" + i);
        }
        first.who("marker");
        assertThat(first.received("error")).isNotEmpty();
        ChatClient second = client(0, first.user());
        for (int i = 0; i < 3; i++) {
            second.send("op", "direct", "to", target.user(), "body", "b" + i);
        }
        second.who("marker");
        assertThat(second.received("error")).isEmpty();
    }

    @Test
    @DisplayName("issue 11: replayed messages take no token: after a replay of 50, a full bucket of 3 sends passes")
    void replayedMessages_takeNoToken() {
        String room = "replay-" + SEQ.incrementAndGet();
        ChatClient fast = client(1, "fast");
        fast.join(room);
        for (int i = 0; i < 50; i++) {
            fast.send("op", "send", "room", room, "body", "old" + i);
        }
        await().atMost(ChatClient.WAIT).until(() -> fast.received("msg").size() == 50);
        ChatClient limited = client(0, "limited");
        limited.request("joined", "op", "join", "room", room, "last", 50);
        assertThat(limited.received("msg")).hasSize(50);
        for (int i = 0; i < 3; i++) {
            limited.send("op", "send", "room", room, "body", "new" + i);
        }
        limited.who(room);
        assertThat(limited.received("error")).isEmpty();
        await().atMost(ChatClient.WAIT).until(() -> limited.received("msg").size() == 53);
        assertThat(limited.received("msg").subList(50, 53)).extracting(f -> f.path("body").asText()).containsExactly("new0", "new1", "new2");
    }
}
