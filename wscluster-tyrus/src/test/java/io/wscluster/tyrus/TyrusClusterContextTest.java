package io.wscluster.tyrus;

import io.wscluster.SessionId;
import io.wscluster.event.SessionOpened;
import io.wscluster.event.Subscription;
import io.wscluster.tyrus.support.Client;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.support.PlainTyrusEndpoint;
import jakarta.websocket.CloseReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Tyrus's cluster SPI through the plain Tyrus API only: three real nodes, each a Hazelcast member
 * and a {@link WsServer} with a {@link TyrusClusterContext}, serving {@link PlainTyrusEndpoint}
 * (no wscluster import), and real WebSocket clients.
 */
class TyrusClusterContextTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static Nodes nodes;

    @BeforeAll
    static void startNodes() {
        nodes = Nodes.start(3, TyrusClusterContextTest::configure);
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.get(0).cluster().nodes().size() == 3);
    }

    private static void configure(WsServerBuilder builder) {
        builder.endpoint(PlainTyrusEndpoint.class)
                .tyrusClusterContext(TyrusClusterContext.create());
    }

    @AfterAll
    static void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Client connect(int node) {
        return connect(nodes.get(node), "/tyrus/lobby", Map.of());
    }

    private static Client connect(Nodes.Node node, String pathAndQuery, Map<String, String> headers) {
        return Client.connect(node.ws(pathAndQuery), headers);
    }

    private static String idOf(Client c) {
        return c.request("id", "id:").substring("id:".length());
    }

    /** The ids a client's server-side session lists in {@code getRemoteSessions()}. */
    private static List<String> remotesOf(Client c) {
        String reply = c.request("remotes", "remotes:").substring("remotes:".length());
        return reply.isEmpty() ? List.of() : Arrays.asList(reply.split(","));
    }

    private static long count(Client c, String message) {
        return c.received().stream().filter(message::equals).count();
    }

    private static void awaitListed(Client viewer, String... ids) {
        await().atMost(WAIT).until(() -> remotesOf(viewer).containsAll(List.of(ids)));
    }

    // ---------------------------------------------------------------- remote sessions

    @Test
    void getRemoteSessions_onOneNode_listsSessionsOfTheOtherNodesButNotItsOwn() {
        try (Client a = connect(0); Client a2 = connect(0); Client b = connect(1); Client c = connect(2)) {
            String idA = idOf(a);
            String idA2 = idOf(a2);
            String idB = idOf(b);
            String idC = idOf(c);

            awaitListed(a, idB, idC);
            assertThat(remotesOf(a)).doesNotContain(idA, idA2);
            assertThat(SessionId.parse(idB).isOwnedBy(nodes.get(1).cluster().localNode())).isTrue();
            String all = a.request("all", "all:");
            assertThat(all.substring("all:".length()).split(",")).contains(idA, idA2, idB, idC);
            awaitListed(c, idA, idA2, idB);
            assertThat(remotesOf(c)).doesNotContain(idC);
        }
    }

    @Test
    void remoteSession_whoseClientCloses_disappearsFromRemoteSessionsAndReportsNotOpen() {
        Client b = connect(1);
        try (Client a = connect(0)) {
            String idB = idOf(b);
            awaitListed(a, idB);
            assertThat(a.request("isopen:" + idB, "isopen:")).isEqualTo("isopen:" + idB + ":true");

            b.close();

            await().atMost(WAIT).until(() -> !remotesOf(a).contains(idB));
            assertThat(a.request("isopen:" + idB, "isopen:")).isEqualTo("isopen:" + idB + ":false");
        } finally {
            b.close();
        }
    }

    @Test
    void openEvent_ofATyrusSession_alreadyCarriesItsDistributedProperties() {
        List<SessionOpened> seen = new CopyOnWriteArrayList<>();
        Subscription subscription = nodes.get(2).cluster().events().onSessionOpened(seen::add);
        try (Client b = connect(nodes.get(1), "/tyrus/lobby?k=v", Map.of())) {
            String idB = idOf(b);
            await().atMost(WAIT).until(() -> seen.stream().anyMatch(e -> e.session().id().value().equals(idB)));
            SessionOpened opened = seen.stream().filter(e -> e.session().id().value().equals(idB)).findFirst().orElseThrow();
            assertThat(opened.session().path()).isEqualTo("/tyrus/{room}");
            assertThat(opened.session().attributes())
                    .containsKey("tyrus.connectionId")
                    .containsEntry("tyrus.queryString", "k=v")
                    .containsEntry("tyrus.requestParameterMap", "k=v&room=lobby");
        } finally {
            subscription.close();
        }
    }

    @Test
    void properties_ofARemoteSession_areReadableOnAnotherNode() {
        String query = "user=bob&x=1&x=2&y=a%20b";
        try (Client a = connect(0); Client b = connect(nodes.get(1), "/tyrus/kitchen?" + query, Map.of())) {
            String idB = idOf(b);
            awaitListed(a, idB);

            String remote = a.request("props:" + idB, "props:");
            String own = b.request("props:self", "props:");

            assertThat(remote).isEqualTo(own);
            String[] props = remote.substring("props:".length()).split("\\|", -1);
            assertThat(props[0]).endsWith("/tyrus/kitchen?" + query);
            assertThat(props[1]).isEqualTo(query);
            assertThat(props[2]).isEqualTo("{room=[kitchen], user=[bob], x=[1, 2], y=[a b]}");
            assertThat(props[3]).startsWith("{room=kitchen, ");
            assertThat(props[4]).isEqualTo("false");
            assertThat(props[7]).isEqualTo(String.valueOf(WsServer.DEFAULT_MAX_TEXT_MESSAGE_BYTES));
        }
    }

    @Test
    void propertyChange_afterTheSessionOpened_isSeenOnAnotherNode() {
        try (Client a = connect(0); Client b = connect(1)) {
            String idB = idOf(b);
            awaitListed(a, idB);
            assertThat(b.request("idle:123456", "idle-set:")).isEqualTo("idle-set:123456");

            // the registry's value in the description tells a lost write from a stale read
            await().atMost(WAIT).untilAsserted(() -> assertThat(a.request("props:" + idB, "props:").split("\\|", -1)[6])
                    .as("max idle timeout of remote session %s seen on node 0 (registry has %s)", idB,
                            nodes.get(0).cluster().registry().session(SessionId.parse(idB))
                                    .map(i -> i.attributes().get("tyrus.maxIdleTimeout")).orElse("no session"))
                    .isEqualTo("123456"));
        }
    }

    // ---------------------------------------------------------------- sending

    @Test
    void basicSend_toARemoteSession_reachesItsClientOnTheOtherNode() {
        try (Client a = connect(0); Client b = connect(1)) {
            String idB = idOf(b);
            awaitListed(a, idB);

            assertThat(a.request("send:" + idB + ":hello-from-a", "sent:")).isEqualTo("sent:hello-from-a");
            await().atMost(WAIT).until(() -> b.received().contains("hello-from-a"));

            assertThat(a.request("binary:" + idB + ":bytes-from-a", "sent-binary:")).isEqualTo("sent-binary:bytes-from-a");
            await().atMost(WAIT).until(() -> b.received().contains("binary:bytes-from-a"));
        }
    }

    @Test
    void basicSends_toARemoteSession_arriveAllInOrder() {
        try (Client a = connect(0); Client b = connect(2)) {
            String idB = idOf(b);
            awaitListed(a, idB);

            assertThat(a.request("burst:" + idB + ":200", "burst-done:")).isEqualTo("burst-done:200");

            List<String> expected = IntStream.range(0, 200).mapToObj(i -> "b" + i).toList();
            await().atMost(WAIT).until(() -> b.received().stream().filter(m -> m.matches("b\\d+")).count() == 200);
            assertThat(b.received().stream().filter(m -> m.matches("b\\d+")).toList()).isEqualTo(expected);
        }
    }

    @Test
    void asyncSendsWithSendHandler_toARemoteSession_eachReportOkOnceAndArriveInOrder() {
        try (Client a = connect(0); Client b = connect(1)) {
            String idB = idOf(b);
            awaitListed(a, idB);

            assertThat(a.request("async:" + idB + ":200", "async-done:")).isEqualTo("async-done:200:0");

            List<String> expected = IntStream.range(0, 200).mapToObj(i -> "a" + i).toList();
            await().atMost(WAIT).until(() -> b.received().stream().filter(m -> m.matches("a\\d+")).count() == 200);
            assertThat(b.received().stream().filter(m -> m.matches("a\\d+")).toList()).isEqualTo(expected);
        }
    }

    @Test
    void asyncSendsWithFuture_toARemoteSession_completeAndArriveInOrder() {
        try (Client a = connect(2); Client b = connect(1)) {
            String idB = idOf(b);
            awaitListed(a, idB);

            assertThat(a.request("future:" + idB + ":200", "future-done:")).isEqualTo("future-done:200:0:-");

            List<String> expected = IntStream.range(0, 200).mapToObj(i -> "f" + i).toList();
            await().atMost(WAIT).until(() -> b.received().stream().filter(m -> m.matches("f\\d+")).count() == 200);
            assertThat(b.received().stream().filter(m -> m.matches("f\\d+")).toList()).isEqualTo(expected);
        }
    }

    @Test
    void sends_toARemoteSessionThatClosed_failWithIOException() {
        Client b = connect(1);
        try (Client a = connect(0)) {
            String idB = idOf(b);
            awaitListed(a, idB);
            b.close();
            await().atMost(WAIT).until(() -> !remotesOf(a).contains(idB));

            assertThat(a.request("send:" + idB + ":late", "error:"))
                    .startsWith("error:java.io.IOException:Session '" + idB + "' is not open");
            assertThat(a.request("async:" + idB + ":3", "async-done:")).isEqualTo("async-done:0:3");
            assertThat(a.request("future:" + idB + ":2", "future-done:")).isEqualTo("future-done:0:2:java.io.IOException");
        } finally {
            b.close();
        }
    }

    @Test
    void partialSends_toARemoteSession_arriveAsWholeMessages() {
        try (Client a = connect(0); Client b = connect(1)) {
            String idB = idOf(b);
            awaitListed(a, idB);

            assertThat(a.request("partial:" + idB, "partial-done")).isEqualTo("partial-done");

            await().atMost(WAIT).until(() -> b.received().contains("writer"));
            assertThat(b.received()).containsSubsequence("partial", "writer").doesNotContain("par", "ti", "al", "wri");
        }
    }

    @Test
    void ping_toARemoteSession_isIgnoredWithoutAnError() {
        try (Client a = connect(0); Client b = connect(1)) {
            String idB = idOf(b);
            awaitListed(a, idB);

            assertThat(a.request("ping:" + idB, "ping-done")).isEqualTo("ping-done");
            assertThat(a.request("send:" + idB + ":after-ping", "sent:")).isEqualTo("sent:after-ping");
            await().atMost(WAIT).until(() -> b.received().contains("after-ping"));
        }
    }

    @Test
    void broadcast_fromOneNode_reachesEveryClientOnEveryNodeExactlyOnce() {
        List<Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                clients.add(connect(i % 3));
            }
            Client sender = clients.get(0);
            clients.forEach(TyrusClusterContextTest::idOf);
            String first = "first-" + UUID.randomUUID();
            String second = "second-" + UUID.randomUUID();

            assertThat(sender.request("broadcast:" + first, "broadcast-sent")).isEqualTo("broadcast-sent");
            assertThat(sender.request("broadcast:" + second, "broadcast-sent")).isEqualTo("broadcast-sent");

            // a third broadcast from the same sender is a control: once every client has it, any extra copy
            // of the first two (queued before it on each node and socket) has arrived too
            String control = "control-" + UUID.randomUUID();
            assertThat(sender.request("broadcast:" + control, "broadcast-sent")).isEqualTo("broadcast-sent");
            for (Client c : clients) {
                await().atMost(WAIT).until(() -> c.received().contains(second) && c.received().contains(control));
            }
            for (Client c : clients) {
                assertThat(count(c, first)).as("copies of the first broadcast").isEqualTo(1);
                assertThat(count(c, second)).as("copies of the second broadcast").isEqualTo(1);
                assertThat(c.received()).containsSubsequence(first, second);
            }
        } finally {
            clients.forEach(Client::close);
        }
    }

    // ---------------------------------------------------------------- close

    @Test
    void close_ofARemoteSession_closesItsClientOnTheOtherNodeWithTheGivenCode() throws Exception {
        try (Client a = connect(0); Client b = connect(1)) {
            String idB = idOf(b);
            awaitListed(a, idB);

            assertThat(a.request("close:" + idB + ":4002:bye", "close-sent")).isEqualTo("close-sent");

            CloseReason reason = b.closed().get(10, TimeUnit.SECONDS);
            assertThat(reason.getCloseCode().getCode()).isEqualTo(4002);
            assertThat(reason.getReasonPhrase()).isEqualTo("bye");
            await().atMost(WAIT).until(() -> !remotesOf(a).contains(idB));
        }
    }

    @Test
    void close_ofARemoteSessionWithACodeReservedForTheProtocol_closesWithNormalClosure() throws Exception {
        try (Client a = connect(2); Client b = connect(1)) {
            String idB = idOf(b);
            awaitListed(a, idB);

            assertThat(a.request("close:" + idB + ":1006:odd", "close-sent")).isEqualTo("close-sent");

            CloseReason reason = b.closed().get(10, TimeUnit.SECONDS);
            assertThat(reason.getCloseCode().getCode()).isEqualTo(1000);
            assertThat(reason.getReasonPhrase()).isEqualTo("odd");
        }
    }

    // ---------------------------------------------------------------- user properties

    @Test
    void userProperties_ofAConnectionClaimedByAnotherClientsHeader_areNotShared() {
        try (Client owner = connect(0)) {
            idOf(owner);
            String connectionId = owner.responseHeader("tyrus-cluster-connection-id");
            assertThat(connectionId).isNotBlank();
            assertThat(owner.request("uput:secret:s3", "uput-done")).isEqualTo("uput-done");
            assertThat(owner.request("uget:secret", "uget:")).isEqualTo("uget:s3");

            Map<String, String> claim = Map.of("tyrus-cluster-connection-id", connectionId);
            try (Client thief = connect(nodes.get(0), "/tyrus/lobby", claim);
                 Client remoteThief = connect(nodes.get(1), "/tyrus/lobby", claim)) {
                assertThat(thief.request("uget:secret", "uget:")).isEqualTo("uget:null");
                assertThat(remoteThief.request("uget:secret", "uget:")).isEqualTo("uget:null");
                assertThat(thief.request("uput:secret:stolen", "uput-done")).isEqualTo("uput-done");
            }
            assertThat(owner.request("uget:secret", "uget:")).isEqualTo("uget:s3");
        }
    }
}
