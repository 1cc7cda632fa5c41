package io.wscluster.it;

import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.testkit.ChatNodeProcess;
import io.wscluster.it.harness.ChatNodes;
import io.wscluster.it.harness.LinkProxy;
import io.wscluster.it.harness.NodeLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cut the cluster links between node 2 and nodes 0 and 1 (TCP proxies in the harness), let both
 * sides go on, restore the links: afterwards every node's {@code who} equals the users really
 * connected, and chat crosses all nodes again.
 */
class PartitionTest {

    @RegisterExtension
    static final NodeLogs LOGS = new NodeLogs();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ROOM = "lobby";

    private static ChatClient joined(ChatNodeProcess node, String user) {
        ChatClient client = ChatClient.handshake(node.chatUri(user), user);
        client.send("op", "join", "room", ROOM);
        client.nextOp("joined", WAIT);
        return client;
    }

    private static List<String> who(ChatNodeProcess node) {
        try (ChatClient asker = ChatClient.handshake(node.chatUri("asker"), "asker")) {
            asker.send("op", "who", "room", ROOM);
            List<String> users = new ArrayList<>();
            asker.nextOp("members", WAIT).path("users").forEach(u -> users.add(u.asText()));
            return users;
        }
    }

    @Test
    void partitionAndHeal_whoConvergesToConnectedUsers_andChatCrossesAllNodes() throws Exception {
        List<LinkProxy> proxies = new ArrayList<>();
        try (ChatNodes nodes = ChatNodes.startBehindProxies(3, LOGS.dir("partition"), proxies)) {
            ChatClient alice = joined(nodes.get(0), "alice");
            ChatClient bob = joined(nodes.get(1), "bob");
            ChatClient carol = joined(nodes.get(2), "carol");
            assertThat(who(nodes.get(0))).containsExactly("alice", "bob", "carol");
            assertThat(proxies).allSatisfy(p -> assertThat(p.strangers()).as("links from unknown addresses").isEmpty());

            long cutAt = System.nanoTime();
            proxies.get(0).allowOnly(peer -> peer != 2);
            proxies.get(1).allowOnly(peer -> peer != 2);
            proxies.get(2).allowOnly(peer -> peer == 2);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> nodes.get(0).health().path("members").asInt() == 2
                    && nodes.get(2).health().path("members").asInt() == 1);
            long splitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);

            // each side goes on: bob leaves, dave arrives on the small side
            await().atMost(WAIT).ignoreExceptions().until(() -> who(nodes.get(0)).equals(List.of("alice", "bob")));
            await().atMost(WAIT).ignoreExceptions().until(() -> who(nodes.get(2)).equals(List.of("carol")));
            bob.close();
            ChatClient dave = joined(nodes.get(2), "dave");
            alice.send("op", "send", "room", ROOM, "body", "side A");
            carol.send("op", "send", "room", ROOM, "body", "side B");
            assertThat(alice.nextOp("msg", WAIT).path("body").asText()).isEqualTo("side A");
            assertThat(carol.nextOp("msg", WAIT).path("body").asText()).isEqualTo("side B");

            long healAt = System.nanoTime();
            for (LinkProxy proxy : proxies) {
                proxy.allowAll();
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
                for (ChatNodeProcess node : nodes.nodes()) {
                    assertThat(node.health().path("members").asInt()).isEqualTo(3);
                    assertThat(who(node)).as("who on %s", node.name()).containsExactly("alice", "carol", "dave");
                }
            });
            long healMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healAt);

            alice.drain();
            carol.drain();
            dave.drain();
            dave.send("op", "send", "room", ROOM, "body", "healed");
            for (ChatClient c : List.of(alice, carol, dave)) {
                assertThat(c.nextOp("msg", WAIT).path("body").asText()).isEqualTo("healed");
            }
            alice.send("op", "send", "room", ROOM, "body", "from A");
            assertThat(dave.nextOp("msg", WAIT).path("body").asText()).isEqualTo("from A");
            System.out.printf("partition: split seen after %d ms, healed and converged %d ms after links came back%n",
                    splitMillis, healMillis);
            for (ChatClient c : List.of(alice, carol, dave)) {
                c.close();
            }
        } finally {
            for (LinkProxy proxy : proxies) {
                proxy.close();
            }
        }
    }
}
