package io.wscluster.examples.chat;

import io.wscluster.examples.chat.support.Binaries;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.support.ChatCluster;
import io.wscluster.examples.chat.support.Http;
import io.wscluster.examples.chat.support.Nginx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * nginx (Debian's package) in front of two chat nodes, in both balancing modes of run-cluster.sh: a
 * client that came in through nginx receives a message sent by a client on the other node, and the
 * other way round.
 */
class NginxTest {

    private static ChatCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ChatCluster.start(2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Nginx.Mode.class)
    @DisplayName("a client through nginx receives a message sent by a client on the other node")
    void throughNginx_messageCrossesNodes(Nginx.Mode mode) {
        Path binary = Binaries.require("nginx", "apt-get update && apt-get install -y nginx");
        List<Integer> ports = List.of(cluster.node(0).port(), cluster.node(1).port());
        try (Nginx nginx = Nginx.start(binary, mode, ports)) {
            String user = "via-lb-" + mode.name().toLowerCase(java.util.Locale.ROOT);
            String room = "lb-" + mode.name().toLowerCase(java.util.Locale.ROOT);
            try (ChatClient viaLb = ChatClient.connect(URI.create("ws://127.0.0.1:" + nginx.port() + "/chat?user=" + user), user)) {
                int landed = nodeHolding(viaLb);
                int other = 1 - landed;
                String directUser = "direct-" + mode.name().toLowerCase(java.util.Locale.ROOT);
                try (ChatClient direct = ChatClient.connect(cluster.chat(other, directUser), directUser)) {
                    viaLb.join(room);
                    direct.join(room);
                    direct.send("op", "send", "room", room, "body", "from node " + other);
                    assertThat(viaLb.await(f -> f.path("op").asText().equals("msg")).path("from").asText()).isEqualTo(directUser);
                    viaLb.send("op", "send", "room", room, "body", "back through nginx");
                    assertThat(direct.await(f -> f.path("body").asText().equals("back through nginx")).path("from").asText())
                            .isEqualTo(user);
                    assertThat(viaLb.who(room)).containsExactlyInAnyOrder(user, directUser);
                }
            }
            Http.Response health = Http.health(nginx.port());
            assertThat(health.status()).as("health through nginx; nginx log: %s", nginx.errorLog()).isEqualTo(200);
            assertThat(health.json().path("members").asInt()).isEqualTo(2);
        }
    }

    /**
     * A node that was stopped and started again on its port gets new connections through nginx at once.
     * Guards against passive failure marks in the template: nginx clears a mark only when a request
     * ends, a WebSocket does not end, so a marked node got about one connection per fail_timeout.
     * While node 1 is down, connections through nginx try it (refused) and land on node 0; once node 1
     * is back, least_conn must send it most of the next 60 (it has far fewer open), at least a fair
     * half minus slack.
     */
    @Test
    @DisplayName("after a node restarts on its port, least_conn through nginx gives it a fair share of new connections at once")
    void restartedNode_getsNewConnectionsAtOnce() {
        Path binary = Binaries.require("nginx", "apt-get update && apt-get install -y nginx");
        List<ChatClient> clients = new ArrayList<>();
        try (ChatCluster own = ChatCluster.start(2);
             Nginx nginx = Nginx.start(binary, Nginx.Mode.LEAST, List.of(own.node(0).port(), own.node(1).port()))) {
            own.node(1).drain();
            URI viaLb = URI.create("ws://127.0.0.1:" + nginx.port() + "/chat");
            for (int i = 0; i < 10; i++) {
                clients.add(connectAndJoin(viaLb, "while-down-" + i));
            }
            String first = own.node(0).cluster().localNode().value();
            assertThat(nodesOf(clients)).as("with node 1 down every connection is on node 0").containsOnly(first);

            String restarted = own.restart(1).cluster().localNode().value();
            await().atMost(Duration.ofSeconds(30)).until(() -> Http.health(own.node(0).port()).json().path("members").asInt() == 2);
            List<ChatClient> after = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                after.add(connectAndJoin(viaLb, "after-restart-" + i));
            }
            clients.addAll(after);
            long onRestarted = nodesOf(after).stream().filter(restarted::equals).count();
            // least_conn: node 1 starts 10 behind, so a fair split gives it 35 of the 60.
            assertThat(onRestarted).as("new connections on the restarted node of 60; nginx log: %s", nginx.errorLog())
                    .isGreaterThanOrEqualTo(25);
        } finally {
            clients.forEach(ChatClient::close);
        }
    }

    private static ChatClient connectAndJoin(URI viaLb, String user) {
        ChatClient c = ChatClient.connect(URI.create(viaLb + "?user=" + user), user);
        c.join("restart");
        return c;
    }

    /** The node of each client, as its {@code joined} frame named it. */
    private static List<String> nodesOf(List<ChatClient> clients) {
        return clients.stream().map(c -> c.received().stream().filter(f -> f.path("op").asText().equals("joined"))
                .findFirst().orElseThrow().path("node").asText()).toList();
    }

    /** The node whose /health counts the client's connection (the only one open on the cluster here). */
    private static int nodeHolding(ChatClient client) {
        int[] found = {-1};
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            // one node with it and the other with none: the previous run's sessions deregister after their close
            int[] local = new int[2];
            for (int i = 0; i < 2; i++) {
                local[i] = Http.health(cluster.node(i).port()).json().path("localSessions").asInt();
            }
            found[0] = local[0] == 1 && local[1] == 0 ? 0 : local[0] == 0 && local[1] == 1 ? 1 : -1;
            return found[0] >= 0;
        });
        assertThat(client.isOpen()).isTrue();
        return found[0];
    }
}
