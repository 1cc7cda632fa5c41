package io.wscluster.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.testkit.ChatNodeProcess;
import io.wscluster.it.harness.ChatNodes;
import io.wscluster.it.harness.NodeLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real node processes killed (SIGKILL) and drained (SIGTERM) under steady traffic. */
@Isolated("measures cleanup after a SIGKILL against the failure timeout")
class NodeFailureTest {

    @RegisterExtension
    static final NodeLogs LOGS = new NodeLogs();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ROOM = "lobby";

    /** Sends numbered messages to the room from one client until stopped (bounded to 60 s and 6,000 messages). */
    private static final class Traffic implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger sent = new AtomicInteger();
        private final Thread thread;

        Traffic(ChatClient client) {
            thread = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (running.get() && sent.get() < 6_000 && System.nanoTime() < deadline) {
                    client.send("op", "send", "room", ROOM, "body", Integer.toString(sent.get()));
                    sent.incrementAndGet();
                    try {
                        new CountDownLatch(1).await(10, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "traffic-" + client.user());
            thread.start();
        }

        int stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
            return sent.get();
        }

        @Override
        public void close() {
            try {
                stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ChatClient joined(ChatNodeProcess node, String user) {
        ChatClient client = ChatClient.handshake(node.chatUri(user), user);
        client.send("op", "join", "room", ROOM);
        client.nextOp("joined", WAIT);
        return client;
    }

    private static List<String> who(ChatClient client) {
        client.send("op", "who", "room", ROOM);
        List<String> users = new ArrayList<>();
        client.nextOp("members", WAIT).path("users").forEach(u -> users.add(u.asText()));
        return users;
    }

    /** Reads {@code count} msgs from {@code from}, checks they are 0..count-1 in order; skips other senders. */
    private static void assertSequence(ChatClient receiver, String from, int count) {
        int expected = 0;
        while (expected < count) {
            JsonNode msg = receiver.nextMatching(f -> "msg".equals(f.path("op").asText()) && from.equals(f.path("from").asText()), WAIT);
            assertThat(msg.path("body").asText()).as("message %d from %s at %s", expected, from, receiver.user())
                    .isEqualTo(Integer.toString(expected));
            expected++;
        }
    }

    @Test
    void sigkill_deadNodesUsersLeaveWhoWithinTheBound_survivorsLoseNothing_reconnectsChat() throws Exception {
        try (ChatNodes nodes = ChatNodes.start(3, LOGS.dir("sigkill"))) {
            ChatClient a = joined(nodes.get(0), "alice");
            ChatClient b = joined(nodes.get(1), "bob");
            ChatClient c = joined(nodes.get(2), "carol");
            ChatClient d = joined(nodes.get(2), "dave");
            assertThat(who(a)).containsExactly("alice", "bob", "carol", "dave");

            int sentByA;
            int sentByB;
            long cleanupMillis;
            try (Traffic fromA = new Traffic(a); Traffic fromB = new Traffic(b)) {
                await().atMost(WAIT).until(() -> fromA.sent.get() > 50 && fromB.sent.get() > 50);
                long killedAt = System.nanoTime();
                nodes.get(2).kill();
                ChatClient observer = ChatClient.handshake(nodes.get(1).chatUri("observer"), "observer");
                await().atMost(ChatNodes.FAILURE_TIMEOUT).pollInterval(Duration.ofMillis(50))
                        .until(() -> who(observer).equals(List.of("alice", "bob")));
                cleanupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                await().atMost(WAIT).until(() -> nodes.get(0).health().path("clusterSessions").asInt() == 3);
                observer.close();
                await().atMost(WAIT).until(() -> fromA.sent.get() > 300 && fromB.sent.get() > 300);
                sentByA = fromA.stop();
                sentByB = fromB.stop();
            }
            assertThat(c.awaitClose(WAIT).code()).as("carol's socket died with its node").isNotEqualTo(1000);
            d.close();

            assertSequence(b, "alice", sentByA);
            assertSequence(a, "bob", sentByB);

            ChatClient back = joined(nodes.get(0), "carol");
            assertThat(who(b)).containsExactly("alice", "bob", "carol");
            back.send("op", "send", "room", ROOM, "body", "I am back");
            assertThat(b.nextMatching(f -> "carol".equals(f.path("from").asText()), WAIT).path("body").asText()).isEqualTo("I am back");
            System.out.printf("SIGKILL: who cleaned after %d ms (bound %d ms); %d + %d messages between survivors, none lost%n",
                    cleanupMillis, ChatNodes.FAILURE_TIMEOUT.toMillis(), sentByA, sentByB);
            for (ChatClient client : List.of(a, b, back)) {
                client.close();
            }
        }
    }

    @Test
    void sigterm_drainsWith1001_exits0_othersLoseNothing_clientsReconnectElsewhere() throws Exception {
        try (ChatNodes nodes = ChatNodes.start(3, LOGS.dir("sigterm"))) {
            ChatClient a = joined(nodes.get(0), "alice");
            ChatClient b = joined(nodes.get(1), "bob");
            ChatClient c = joined(nodes.get(2), "carol");

            int sentByA;
            int exit;
            long drainMillis;
            try (Traffic fromA = new Traffic(a)) {
                await().atMost(WAIT).until(() -> fromA.sent.get() > 50);
                long termAt = System.nanoTime();
                exit = nodes.get(2).terminate(Duration.ofSeconds(10));
                drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termAt);
                assertThat(c.awaitClose(WAIT).code()).isEqualTo(1001);
                ChatClient carol = joined(nodes.get(1), "carol");
                assertThat(who(carol)).containsExactly("alice", "bob", "carol");
                await().atMost(WAIT).until(() -> fromA.sent.get() > 200);
                sentByA = fromA.stop();
                assertContiguousTail(carol, "alice", sentByA);
                carol.close();
            }
            assertThat(exit).isZero();
            // node 0 learns of the leave from membership and node-table events, after the process exited
            await().atMost(WAIT).untilAsserted(() -> assertThat(nodes.get(0).health().path("members").asInt()).isEqualTo(2));
            assertSequence(b, "alice", sentByA);
            System.out.printf("SIGTERM: node exited 0 after %d ms; %d messages to survivors, none lost%n", drainMillis, sentByA);
            a.close();
            b.close();
        }
    }

    /** A client that joined mid-stream: from the first message it sees up to {@code end - 1}, nothing missing or reordered. */
    private static void assertContiguousTail(ChatClient receiver, String from, int end) {
        JsonNode first = receiver.nextMatching(f -> "msg".equals(f.path("op").asText()) && from.equals(f.path("from").asText()), WAIT);
        int expected = Integer.parseInt(first.path("body").asText()) + 1;
        while (expected < end) {
            JsonNode msg = receiver.nextMatching(f -> "msg".equals(f.path("op").asText()) && from.equals(f.path("from").asText()), WAIT);
            assertThat(msg.path("body").asText()).isEqualTo(Integer.toString(expected));
            expected++;
        }
    }
}
