package io.wscluster.tyrus;

import io.wscluster.Cluster;
import io.wscluster.SessionInfo;
import io.wscluster.event.Subscription;
import io.wscluster.tyrus.internal.tyruscluster.TyrusClusterAdapter;
import io.wscluster.tyrus.support.Client;
import io.wscluster.tyrus.support.LimitedEndpoint;
import io.wscluster.tyrus.support.LoopbackTyrusServer;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.support.PlainTyrusEndpoint;
import io.wscluster.tyrus.support.UncreatableEndpoint;
import jakarta.websocket.CloseReason;
import jakarta.websocket.server.ServerEndpointConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
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
 * Standalone mode: a plain Tyrus server of the application's own (no {@link WsServer}) configured with
 * {@link TyrusClusterContext#serverProperties()}, in one cluster with a {@link WsServer} node; both
 * serve {@link PlainTyrusEndpoint}.
 */
class TyrusClusterContextStandaloneTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final TyrusClusterAdapter.Timings FAST = new TyrusClusterAdapter.Timings(Duration.ofMillis(500),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMillis(100));

    private static Nodes nodes;
    private static Cluster member;
    private static TyrusClusterContext context;
    private static LoopbackTyrusServer tyrus;

    @BeforeAll
    static void start() {
        nodes = Nodes.start(1, b -> b.endpoint(PlainTyrusEndpoint.class).tyrusClusterContext(TyrusClusterContext.create()));
        member = nodes.newMember();
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.get(0).cluster().nodes().size() == 2);
        context = TyrusClusterContext.attach(member, FAST);
        tyrus = LoopbackTyrusServer.start(context.serverProperties(), List.of(PlainTyrusEndpoint.class, LimitedEndpoint.class),
                List.of(ServerEndpointConfig.Builder.create(UncreatableEndpoint.class, "/uncreatable").build()));
    }

    @AfterAll
    static void stop() {
        if (tyrus != null) {
            tyrus.close();
        }
        if (context != null) {
            context.shutdown();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    private static Client onServerNode() {
        return Client.connect(nodes.get(0).ws("/tyrus/lobby"));
    }

    private static Client onStandaloneNode() {
        return Client.connect(tyrus.ws("/tyrus/lobby"));
    }

    private static String idOf(Client c) {
        return c.request("id", "id:").substring("id:".length());
    }

    private static boolean lists(Client viewer, String id) {
        return List.of(viewer.request("remotes", "remotes:").substring("remotes:".length()).split(",")).contains(id);
    }

    private static long localSessionsOn(String path) {
        return member.registry().localSessions().stream().map(SessionInfo::path).filter(path::equals).count();
    }

    @Test
    void sessionsOfTheStandaloneNodeAndOfTheServerNode_listEachOtherAsRemote() {
        try (Client a = onServerNode(); Client s = onStandaloneNode()) {
            String idA = idOf(a);
            String idS = idOf(s);

            await().atMost(WAIT).until(() -> lists(a, idS));
            await().atMost(WAIT).until(() -> lists(s, idA));
            assertThat(lists(s, idS)).isFalse();
        }
    }

    @Test
    void sends_betweenTheNodes_reachTheClientsInOrder() {
        try (Client a = onServerNode(); Client s = onStandaloneNode()) {
            String idA = idOf(a);
            String idS = idOf(s);
            await().atMost(WAIT).until(() -> lists(a, idS));
            await().atMost(WAIT).until(() -> lists(s, idA));

            assertThat(a.request("async:" + idS + ":100", "async-done:")).isEqualTo("async-done:100:0");
            assertThat(s.request("burst:" + idA + ":100", "burst-done:")).isEqualTo("burst-done:100");

            await().atMost(WAIT).until(() -> s.received().stream().filter(m -> m.matches("a\\d+")).count() == 100);
            assertThat(s.received().stream().filter(m -> m.matches("a\\d+")).toList())
                    .isEqualTo(IntStream.range(0, 100).mapToObj(i -> "a" + i).toList());
            await().atMost(WAIT).until(() -> a.received().stream().filter(m -> m.matches("b\\d+")).count() == 100);
            assertThat(a.received().stream().filter(m -> m.matches("b\\d+")).toList())
                    .isEqualTo(IntStream.range(0, 100).mapToObj(i -> "b" + i).toList());
        }
    }

    @Test
    void broadcast_fromTheStandaloneNode_reachesEveryClientOnBothNodesOnce() {
        try (Client a = onServerNode(); Client s = onStandaloneNode(); Client s2 = onStandaloneNode()) {
            idOf(a);
            idOf(s2);
            String first = "first-" + UUID.randomUUID();
            String second = "second-" + UUID.randomUUID();

            assertThat(s.request("broadcast:" + first, "broadcast-sent")).isEqualTo("broadcast-sent");
            assertThat(s.request("broadcast:" + second, "broadcast-sent")).isEqualTo("broadcast-sent");
            // a control from the same sender: once a client has it, any extra copy of the first two has arrived too
            String control = "control-" + UUID.randomUUID();
            assertThat(s.request("broadcast:" + control, "broadcast-sent")).isEqualTo("broadcast-sent");

            for (Client c : List.of(a, s, s2)) {
                await().atMost(WAIT).until(() -> c.received().contains(second) && c.received().contains(control));
                assertThat(c.received().stream().filter(first::equals).count()).isEqualTo(1);
                assertThat(c.received().stream().filter(second::equals).count()).isEqualTo(1);
            }
        }
    }

    @Test
    void close_ofAStandaloneSessionFromTheServerNode_closesItsClient() throws Exception {
        try (Client a = onServerNode(); Client s = onStandaloneNode()) {
            String idS = idOf(s);
            await().atMost(WAIT).until(() -> lists(a, idS));

            assertThat(a.request("close:" + idS + ":4003:away", "close-sent")).isEqualTo("close-sent");

            CloseReason reason = s.closed().get(10, TimeUnit.SECONDS);
            assertThat(reason.getCloseCode().getCode()).isEqualTo(4003);
            await().atMost(WAIT).until(() -> !lists(a, idS));
        }
    }

    @Test
    void sessionRefusedBySessionLimitAfterTyrusCreatedIt_isNeverRegistered() throws Exception {
        List<String> opened = new CopyOnWriteArrayList<>();
        Subscription subscription = nodes.get(0).cluster().events().onSessionOpened(e -> {
            if (e.session().path().equals("/limited")) {
                opened.add(e.session().id().value());
            }
        });
        try (Client first = Client.connect(tyrus.ws("/limited"))) {
            String id = first.request("id", "id:").substring("id:".length());
            assertThat(id).startsWith(member.localNode() + "-");

            try (Client refused = Client.connect(tyrus.ws("/limited"))) {
                CloseReason reason = refused.closed().get(10, TimeUnit.SECONDS);
                assertThat(reason.getCloseCode()).isEqualTo(CloseReason.CloseCodes.TRY_AGAIN_LATER);
            }

            assertThat(localSessionsOn("/limited")).isEqualTo(1);
            // the refused session's entry (Tyrus created it) is dropped once the pending timeout passed
            await().atMost(WAIT).until(() -> context.adapter().localEntries() == member.registry().localCount());
            assertThat(opened).containsExactly(id);
        } finally {
            subscription.close();
        }
        await().atMost(WAIT).until(() -> localSessionsOn("/limited") == 0);
    }

    @Test
    void sessionWhoseEndpointTyrusCannotCreate_isDeregisteredAfterItsCloseFrame() throws Exception {
        List<String> opened = new CopyOnWriteArrayList<>();
        List<String> closed = new CopyOnWriteArrayList<>();
        Subscription onOpen = nodes.get(0).cluster().events().onSessionOpened(e -> {
            if (e.session().path().equals("/uncreatable")) {
                opened.add(e.session().id().value());
            }
        });
        Subscription onClose = nodes.get(0).cluster().events().onSessionClosed(e -> {
            if (e.session().path().equals("/uncreatable")) {
                closed.add(e.session().id().value());
            }
        });
        try (Client client = Client.connect(tyrus.ws("/uncreatable"))) {
            CloseReason reason = client.closed().get(10, TimeUnit.SECONDS);
            assertThat(reason.getCloseCode()).isEqualTo(CloseReason.CloseCodes.UNEXPECTED_CONDITION);

            // Tyrus admitted it (so it was registered) and then never removed it: the sweep does
            await().atMost(WAIT).until(() -> opened.size() == 1 && closed.equals(opened));
            assertThat(localSessionsOn("/uncreatable")).isZero();
            await().atMost(WAIT).until(() -> context.adapter().localEntries() == member.registry().localCount());
        } finally {
            onOpen.close();
            onClose.close();
        }
    }

    @Test
    void standaloneContext_givenToAWsServer_isRefused() {
        assertThatThrownBy(() -> WsServer.builder().tyrusClusterContext(context))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tyrusClusterContext must come from TyrusClusterContext.create(), but this one was made by"
                        + " TyrusClusterContext.attach(cluster) and is attached already");
    }

    @Test
    void serverProperties_ofAContextForAWsServer_isRefused() {
        assertThatThrownBy(() -> TyrusClusterContext.create().serverProperties())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TyrusClusterContext.attach(cluster)");
        assertThat(context.serverProperties()).containsKeys("org.glassfish.tyrus.core.cluster.ClusterContext",
                "org.glassfish.tyrus.core.monitoring.ApplicationEventListener");
        assertThat(Map.copyOf(context.serverProperties())).containsValue(context);
    }
}
