package io.wscluster.it;

import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.testkit.ChatNodeProcess;
import io.wscluster.it.harness.ChatNodes;
import io.wscluster.it.harness.LinkProxy;
import io.wscluster.it.harness.NodeLogs;
import io.wscluster.it.harness.TrafficLedger;
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
 * sides go on, restore the links: the cut-off node closes its clients with 1012 as it merges back
 * (issue 13), they reconnect, and afterwards every node's {@code who} equals the users really
 * connected, and chat crosses all nodes again. Sequence-numbered traffic in a second room runs
 * throughout: nothing between the two nodes that stayed together is lost, duplicated or reordered.
 */
class PartitionTest {

    @RegisterExtension
    static final NodeLogs LOGS = new NodeLogs();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ROOM = "lobby";
    private static final String TRAFFIC = "traffic";

    private static ChatClient joined(ChatNodeProcess node, String user) {
        ChatClient client = ChatClient.handshake(node.chatUri(user), user);
        client.send("op", "join", "room", ROOM);
        client.nextOp("joined", WAIT);
        return client;
    }

    /** Reconnects a user to a node until the node accepts it again (it refuses while it re-enters). */
    private static ChatClient rejoined(ChatNodeProcess node, String user) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    ChatClient client = ChatClient.handshake(node.chatUri(user), user);
                    try {
                        client.send("op", "join", "room", ROOM);
                        client.nextOp("joined", Duration.ofSeconds(2));
                        return client;
                    } catch (RuntimeException | AssertionError e) {
                        client.close();
                        throw new IllegalStateException(e);
                    }
                }, c -> c != null);
    }

    private static ChatClient inRoom(ChatNodeProcess node, String user, String room) {
        ChatClient client = ChatClient.connect(node.chatUri(user), user);
        client.send("op", "join", "room", room);
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
            List<TrafficLedger.Peer> peers = List.of(new TrafficLedger.Peer(inRoom(nodes.get(0), "t0", TRAFFIC), 0),
                    new TrafficLedger.Peer(inRoom(nodes.get(1), "t1", TRAFFIC), 1),
                    new TrafficLedger.Peer(inRoom(nodes.get(2), "t2", TRAFFIC), 2));
            TrafficLedger ledger = new TrafficLedger(TRAFFIC, peers, Duration.ofMillis(100));

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

            // the cut-off node's traffic client stops before the heal, so that no write of its is in
            // flight when its node closes it
            ledger.stopPeersOn(i -> i == 2);
            long healAt = System.nanoTime();
            for (LinkProxy proxy : proxies) {
                proxy.allowAll();
            }
            for (ChatClient c : List.of(carol, dave, peers.get(2).client())) {
                assertThat(c.awaitClose(Duration.ofSeconds(60)).code()).as("%s on the cut-off node as it merges back", c.user())
                        .isEqualTo(1012);
            }
            carol = rejoined(nodes.get(2), "carol");
            dave = rejoined(nodes.get(2), "dave");
            long servingMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healAt);
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
            ledger.stop();
            TrafficLedger.Count count = ledger.awaitSettled(i -> i != 2, Duration.ofSeconds(15));
            System.out.printf("partition: split seen after %d ms, cut-off node served again %d ms and who converged %d ms after"
                    + " links came back; traffic between the nodes that stayed together: %s%n", splitMillis, servingMillis, healMillis, count);
            assertThat(count.lost()).as("lost between nodes 0 and 1: %s", count).isZero();
            assertThat(count.duplicated()).as("duplicated: %s", count).isZero();
            assertThat(count.reordered()).as("reordered: %s", count).isZero();
            peers.forEach(p -> p.client().close());
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
