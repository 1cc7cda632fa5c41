package io.wscluster.tyrus;

import io.wscluster.Delivery;
import io.wscluster.Message;
import io.wscluster.Target;
import io.wscluster.tyrus.support.Client;
import io.wscluster.tyrus.support.CommandEndpoint;
import io.wscluster.tyrus.support.Nodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connection counts as connected when its client has the 101: from that moment a message to its
 * user, sent from any node, reaches it. (Before, the session was registered in {@code @OnOpen},
 * which Tyrus runs after writing the 101, so a direct message sent right after the handshake could
 * find the user offline.)
 */
class HandshakeRegistrationTest {

    private static final int CONNECTIONS = 40;
    private static Nodes nodes;

    @BeforeAll
    static void startNodes() {
        nodes = Nodes.start(2, b -> b.endpoint(CommandEndpoint.class).userResolver(UserResolver.queryParam("user")));
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.get(0).cluster().nodes().size() == 2);
    }

    @AfterAll
    static void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void userMessage_sentFromAnotherNodeRightAfterTheHandshake_reachesTheNewConnection() {
        List<Client> clients = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                String user = "fresh" + i + UUID.randomUUID().toString().substring(0, 4);
                Client client = Client.connect(nodes.get(0).ws("/chat?user=" + user)); // returns on the 101
                Delivery delivery = nodes.get(1).cluster().messenger()
                        .send(Target.user(user), Message.text("first:" + user)).toCompletableFuture().join();
                clients.add(client);
                if (!delivery.reachedAnyone()) {
                    missed.add(user);
                }
            }
            assertThat(missed).as("users found offline right after their handshake").isEmpty();
            await().atMost(10, TimeUnit.SECONDS).until(() -> clients.stream()
                    .allMatch(c -> c.received().stream().anyMatch(m -> m.startsWith("first:"))));
        } finally {
            clients.forEach(Client::close);
        }
    }
}
