package io.wscluster.it;

import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.testkit.ChatNodeProcess;
import io.wscluster.it.harness.ChatNodes;
import io.wscluster.it.harness.HealthWatch;
import io.wscluster.it.harness.LinkProxy;
import io.wscluster.it.harness.NodeLogs;
import io.wscluster.it.harness.TrafficLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.parallel.Isolated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cut the cluster links between node 2 and nodes 0 and 1 (TCP proxies in the harness; its clients
 * stay connected), let both sides go on for longer than the failure timeout, restore the links: the
 * cut-off node closes its clients with 1012 as it merges back (issue 13), its {@code /health} says 503
 * ({@code "status":"unavailable"} with a reason) until it serves again and 200 after, its users
 * reconnect, and afterwards every node's {@code who} equals the users really connected, and chat
 * crosses all nodes again. Sequence-numbered traffic in a second room, two clients per node, runs
 * throughout: nothing between the two nodes that stayed together is lost, duplicated or reordered,
 * nothing any client sent is dropped silently (it arrived, or its sender got an error frame or a
 * close), and the healthy nodes' {@code /health} answers within a second and shows them together.
 */
@Isolated("a cut link against a 5 s failure timeout and /health answered within 1 s: a timing test, alone on the machine")
class PartitionTest {

    @RegisterExtension
    static final NodeLogs LOGS = new NodeLogs();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ROOM = "lobby";
    private static final String TRAFFIC = "traffic";
    /** How long node 2 stays cut off: longer than the failure timeout (5 s). */
    private static final Duration CUT = ChatNodes.FAILURE_TIMEOUT.multipliedBy(2);

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

    /** @return ms from {@code since} until {@code who} from the observer lists the target and a direct reaches it */
    private static long reach(ChatClient observer, ChatClient target, long since) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            assertThat(observer.who(ROOM)).contains(target.user());
            String body = "probe-" + System.nanoTime();
            observer.send("op", "direct", "to", target.user(), "body", body);
            assertThat(target.nextMatching(f -> "direct".equals(f.path("op").asText()) && body.equals(f.path("body").asText()),
                    Duration.ofSeconds(2))).isNotNull();
        });
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
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
            List<TrafficLedger.Peer> peers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                for (String suffix : List.of("a", "b")) {
                    peers.add(new TrafficLedger.Peer(inRoom(nodes.get(i), "t" + i + suffix, TRAFFIC), i));
                }
            }
            // asks who and sends the directs; not in the traffic
            ChatClient observer = ChatClient.connect(nodes.get(0).chatUri("observer"), "observer");
            HealthWatch health = new HealthWatch(List.of(nodes.get(0), nodes.get(1)));
            HealthWatch cutHealth = new HealthWatch(List.of(nodes.get(2)));
            TrafficLedger ledger = new TrafficLedger(TRAFFIC, peers, Duration.ofMillis(100));
            await().atMost(WAIT).until(() -> ledger.sent() > 30);
            ledger.mark("cut node2's cluster links");
            long cutAt = System.nanoTime();
            proxies.get(0).allowOnly(peer -> peer != 2);
            proxies.get(1).allowOnly(peer -> peer != 2);
            proxies.get(2).allowOnly(peer -> peer == 2);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> nodes.get(0).health().path("members").asInt() == 2
                    && nodes.get(2).health().path("members").asInt() == 1);
            long splitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
            ledger.mark("split seen");

            // each side goes on: bob leaves, dave arrives on the small side
            await().atMost(WAIT).ignoreExceptions().until(() -> who(nodes.get(0)).equals(List.of("alice", "bob")));
            await().atMost(WAIT).ignoreExceptions().until(() -> who(nodes.get(2)).equals(List.of("carol")));
            bob.close();
            ChatClient dave = joined(nodes.get(2), "dave");
            alice.send("op", "send", "room", ROOM, "body", "side A");
            carol.send("op", "send", "room", ROOM, "body", "side B");
            assertThat(alice.nextOp("msg", WAIT).path("body").asText()).isEqualTo("side A");
            assertThat(carol.nextOp("msg", WAIT).path("body").asText()).isEqualTo("side B");

            // the cut lasts longer than the failure timeout (the scenario, not a wait for a condition)
            java.util.concurrent.locks.LockSupport.parkNanos(cutAt + CUT.toNanos() - System.nanoTime());
            // the cut-off node's traffic clients keep sending through the heal: what their node receives
            // while it merges back must be answered with an error frame or end with the close
            long healAt = System.nanoTime();
            for (LinkProxy proxy : proxies) {
                proxy.allowAll();
            }
            ledger.mark("links back");
            List<ChatClient> cutOff = new ArrayList<>(List.of(carol, dave));
            peers.stream().filter(p -> p.node() == 2).forEach(p -> cutOff.add(p.client()));
            for (ChatClient c : cutOff) {
                assertThat(c.awaitClose(Duration.ofSeconds(60)).code()).as("%s on the cut-off node as it merges back", c.user())
                        .isEqualTo(1012);
            }
            ledger.mark("node2's clients closed with 1012");
            carol = rejoined(nodes.get(2), "carol");
            dave = rejoined(nodes.get(2), "dave");
            long servingMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healAt);
            long reachMillis = reach(observer, dave, healAt);
            ledger.mark("who and directs reach node2's users");
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
            long sentAtHeal = ledger.sent();
            await().atMost(WAIT).until(() -> ledger.sent() > sentAtHeal + 30);
            ledger.stop();
            ledger.mark("traffic stopped");
            TrafficLedger.Count count = ledger.awaitSettled(i -> i != 2, Duration.ofSeconds(15));
            health.close();
            cutHealth.close();
            List<String> cutStates = cutHealth.states(0);
            System.out.printf("partition (node2 cut off, its clients connected): %s; healthy /health longest %d ms (%s) over %d polls, fewest"
                            + " members %d; cut %d ms, split seen after %d ms; after the links came back node2 served again after %d ms, who and"
                            + " directs reached its users %d ms and who converged %d ms after; node2's /health went %s; events: %s%n",
                    count, health.longestMillis(), health.longestAt(), health.polls(), health.fewestMembers(),
                    TimeUnit.NANOSECONDS.toMillis(healAt - cutAt), splitMillis, servingMillis, reachMillis,
                    healMillis, cutStates, ledger.marks());
            assertThat(count.lost()).as("lost between nodes 0 and 1: %s", count).isZero();
            assertThat(count.duplicated()).as("duplicated: %s", count).isZero();
            assertThat(count.reordered()).as("reordered: %s", count).isZero();
            assertThat(count.silent()).as("dropped without an error frame or a close: %s", count).isZero();
            assertThat(health.longestMillis()).as("longest /health answer of a healthy node").isLessThan(1_000);
            assertThat(health.fewestMembers()).as("fewest members a healthy node reported (a split of the pair shows 1)")
                    .isGreaterThanOrEqualTo(2);
            assertThat(cutStates).as("node2's /health states").anySatisfy(state -> assertThat(state)
                    .isEqualTo("503 unavailable: cut off from the cluster, merging back"));
            assertThat(cutStates.get(cutStates.size() - 1)).as("node2's /health at the end").isEqualTo("200 running");
            observer.close();
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
