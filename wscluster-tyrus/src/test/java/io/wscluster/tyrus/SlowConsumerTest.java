package io.wscluster.tyrus;

import io.wscluster.tyrus.support.Client;
import io.wscluster.tyrus.support.CommandEndpoint;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that never reads while others chat: its outbound queue stays bounded, the overflow policy
 * applies and is counted, and the other members of the room receive every message.
 */
class SlowConsumerTest {

    private static final int MAX_QUEUED = 16;
    private static final String ROOM = "busy";
    private static final String BODY = "x".repeat(16 * 1024);
    /** Upper bound of the load loop: 1,000 messages of 16 KiB (the loop stops as soon as the policy applied). */
    private static final int MAX_SENDS = 1_000;

    @Test
    void neverReadingClient_withPolicyClose_isClosedAndDeregisteredWhileOthersGetEverything() {
        try (Nodes nodes = start(OverflowPolicy.CLOSE)) {
            WsServer server = nodes.get(0).server();
            io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            new io.wscluster.tyrus.metrics.ServerMeters(server).bindTo(meters);
            Result r = chat(nodes, s -> s.slowConsumerCloses() >= 1);
            System.out.printf("slow consumer with the system's send buffer: closed after %d sends%n", r.sent);

            assertThat(server.stats().slowConsumerCloses()).isEqualTo(1);
            assertThat(meters.get("wscluster.server.slow.closes").functionCounter().count()).isEqualTo(1);
            assertThat(meters.get("wscluster.server.sent").functionCounter().count()).isPositive()
                    .isLessThanOrEqualTo(server.stats().sentMessages());
            assertThat(meters.get("wscluster.server.sessions").gauge().value()).isPositive();
            await().atMost(10, TimeUnit.SECONDS).until(() -> !nodes.get(0).cluster().registry().isOnline("slow"));
            assertThat(r.maxQueued).isLessThanOrEqualTo(MAX_QUEUED * 3L);
            assertEveryoneElseGotEverything(r);
        }
    }

    @Test
    void neverReadingClient_withPolicyDropNewest_staysOpenWithDropsCountedWhileOthersGetEverything() {
        try (Nodes nodes = start(OverflowPolicy.DROP_NEWEST)) {
            WsServer server = nodes.get(0).server();
            Result r = chat(nodes, s -> s.droppedMessages() >= 5);

            assertThat(server.stats().slowConsumerCloses()).isZero();
            assertThat(server.stats().droppedMessages()).isGreaterThanOrEqualTo(5);
            assertThat(nodes.get(0).cluster().registry().isOnline("slow")).isTrue();
            assertThat(r.maxQueued).isLessThanOrEqualTo(MAX_QUEUED * 3L);
            assertEveryoneElseGotEverything(r);
        }
    }

    @Test
    void neverReadingClient_withFixedSocketSendBuffer_isClosedOnceQueueAndKernelBuffersAreFull() {
        int sendBuffer = 64 * 1024;
        try (Nodes nodes = Nodes.start(1, b -> b.endpoint(CommandEndpoint.class).userResolver(UserResolver.queryParam("user"))
                .maxQueuedMessages(MAX_QUEUED).maxQueuedBytes(MAX_QUEUED * 20L * 1024).socketSendBufferBytes(sendBuffer))) {
            Result r = chat(nodes, s -> s.slowConsumerCloses() >= 1);
            // What a non-reader can hold before the policy applies: its queue, the server's send buffer (Linux
            // doubles SO_SNDBUF for its own bookkeeping) and the client's small receive window, plus a margin.
            // With the system's buffer the same client took 189 sends here (about 3 MB).
            int bound = MAX_QUEUED + (2 * sendBuffer + 128 * 1024) / BODY.length() + 8;
            System.out.printf("slow consumer with SO_SNDBUF %d: closed after %d sends of %d bytes (bound %d)%n",
                    sendBuffer, r.sent, BODY.length(), bound);
            assertThat(r.sent).isLessThanOrEqualTo(bound);
            assertEveryoneElseGotEverything(r);
        }
    }

    private static Nodes start(OverflowPolicy policy) {
        return Nodes.start(1, b -> b.endpoint(CommandEndpoint.class).userResolver(UserResolver.queryParam("user"))
                .maxQueuedMessages(MAX_QUEUED).maxQueuedBytes(MAX_QUEUED * 20L * 1024).overflowPolicy(policy));
    }

    /** What a chat left: the slow client's socket stays open (never read) until the assertions are done. */
    private record Result(int sent, long maxQueued, List<Client> readers, RawWebSocket slow) {
    }

    private static Result chat(Nodes nodes, Predicate<ServerStats> policyApplied) {
        Nodes.Node node = nodes.get(0);
        WsServer server = node.server();
        // closed by assertEveryoneElseGotEverything, not here: a socket its client closed is deregistered anyway,
        // which would let the registry checks pass without the policy's own close and deregistration
        RawWebSocket slow = RawWebSocket.connect(node.port(), "/chat?user=slow", Map.of(), 4096);
        try {
            assertThat(slow.status()).isEqualTo(101);
            slow.sendText("join:" + ROOM);
            await().atMost(10, TimeUnit.SECONDS).until(() -> node.cluster().registry().usersInRoom(ROOM).contains("slow"));

            List<Client> readers = new ArrayList<>();
            for (String user : List.of("r1", "r2")) {
                Client c = Client.connect(node.ws("/chat?user=" + user));
                c.request("join:" + ROOM, "joined:");
                readers.add(c);
            }
            Client sender = readers.get(0);
            int sent = 0;
            long maxQueued = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Client witness = readers.get(1);
            while (sent < MAX_SENDS && System.nanoTime() < deadline && !policyApplied.test(server.stats())) {
                sender.send("room:" + ROOM + ":" + BODY);
                sent++;
                // lockstep: the next message goes once a reader has this one, so that "sent" counts what the
                // server has fanned out when the policy applies, not what is still in its inbound buffers
                int expected = sent;
                await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(10, TimeUnit.SECONDS)
                        .until(() -> witness.received().stream().filter(m -> m.endsWith(BODY)).count() >= expected);
                maxQueued = Math.max(maxQueued, server.stats().queuedMessages());
            }
            assertThat(policyApplied.test(server.stats())).as("policy applied within %d sends", sent).isTrue();
            int total = sent;
            await().atMost(30, TimeUnit.SECONDS).until(() -> readers.stream()
                    .allMatch(c -> c.received().stream().filter(m -> m.endsWith(BODY)).count() == total));
            return new Result(sent, maxQueued, readers, slow);
        } catch (RuntimeException | Error e) {
            slow.close();
            throw e;
        }
    }

    private static void assertEveryoneElseGotEverything(Result r) {
        try {
            for (Client c : r.readers) {
                assertThat(c.received().stream().filter(m -> m.endsWith(BODY)).count()).isEqualTo(r.sent);
                assertThat(c.session().isOpen()).isTrue();
            }
        } finally {
            r.readers.forEach(Client::close);
            r.slow.close();
        }
    }
}
