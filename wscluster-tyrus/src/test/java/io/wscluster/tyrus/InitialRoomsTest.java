package io.wscluster.tyrus;

import io.wscluster.Delivery;
import io.wscluster.Message;
import io.wscluster.Target;
import io.wscluster.tyrus.support.Client;
import io.wscluster.tyrus.support.CommandEndpoint;
import io.wscluster.tyrus.support.LobbyEndpoint;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.support.OnOpenJoinEndpoint;
import io.wscluster.tyrus.support.RoomEndpoint;
import io.wscluster.tyrus.testkit.RawWebSocket;
import io.wscluster.annotation.Clustered;
import jakarta.websocket.server.ServerEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Rooms joined during the handshake: a session declared in a room (fixed on {@code @Clustered}, or
 * computed by a {@link RoomResolver}) is a member from the moment its client has the 101, so a message
 * sent to the room from another node right then reaches it. A room joined in {@code @OnOpen} is not:
 * what is sent before that join completes is not delivered to the new session.
 */
class InitialRoomsTest {

    private static final int CONNECTIONS = 20;
    private static Nodes nodes;

    @BeforeAll
    static void startNodes() {
        nodes = Nodes.start(2, b -> b.endpoint(LobbyEndpoint.class).endpoint(CommandEndpoint.class).endpoint(OnOpenJoinEndpoint.class).endpoint(RoomEndpoint.class)
                .userResolver(UserResolver.queryParam("user")).roomResolver(RoomResolver.queryParams("room")));
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.get(0).cluster().nodes().size() == 2);
    }

    @AfterAll
    static void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Delivery sendFromOtherNode(String room, String text) {
        return nodes.get(1).cluster().messenger().send(Target.room(room), Message.text(text)).toCompletableFuture().join();
    }

    @Test
    void fixedRoom_messageFromAnotherNodeRightAfterThe101_reachesTheNewConnection() {
        // one connection at a time, so that each is the room's only member: its node then enters the
        // room with it, and a message routed before the join would find nobody
        for (int i = 0; i < CONNECTIONS; i++) {
            try (Client client = Client.connect(nodes.get(0).ws("/lobby?user=" + unique("f")))) { // returns on the 101
                Delivery delivery = sendFromOtherNode("lobby", "first:" + i);

                assertThat(delivery.sessions()).as("lobby members when connection %d has its 101", i).isEqualTo(1);
                String expected = "first:" + i;
                await().atMost(10, TimeUnit.SECONDS).until(() -> client.received().contains(expected));
            }
            await().atMost(10, TimeUnit.SECONDS).until(() -> nodes.get(1).cluster().registry().sessionsInRoom("lobby").isEmpty());
        }
    }

    @Test
    void computedRoom_messageFromAnotherNodeRightAfterThe101_reachesTheNewConnection() {
        List<Client> clients = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                String room = unique("own-");
                Client client = Client.connect(nodes.get(0).ws("/chat?user=" + unique("c") + "&room=" + room));
                clients.add(client);
                if (!sendFromOtherNode(room, "first:" + room).reachedAnyone()) {
                    missed.add(room);
                }
                await().atMost(10, TimeUnit.SECONDS).until(() -> client.received().contains("first:" + room));
            }
            assertThat(missed).as("rooms without their member right after its handshake").isEmpty();
        } finally {
            clients.forEach(Client::close);
        }
    }

    @Test
    void roomPathParam_messageFromAnotherNodeRightAfterThe101_reachesTheNewConnection() {
        for (int i = 0; i < CONNECTIONS; i++) {
            String room = unique("path-");
            try (Client client = Client.connect(nodes.get(0).ws("/rooms/" + room))) {
                Delivery delivery = sendFromOtherNode(room, "first:" + room);

                assertThat(delivery.sessions()).as("members of %s when its client has the 101", room).isEqualTo(1);
                await().atMost(10, TimeUnit.SECONDS).until(() -> client.received().contains("first:" + room));
            }
        }
    }

    @Test
    void computedRoom_withAnInvalidName_refusesTheHandshakeWith400Complete() {
        RawWebSocket.Refusal r = RawWebSocket.refusal(nodes.get(0).port(), "/chat?user=x&room=bad!room", Map.of(), 5_000);

        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
        assertThat(r.headers()).containsEntry("connection", "close").containsEntry("content-length", "0");
        assertThat(r.closedByServer()).isTrue();
    }

    @Test
    void joinInOnOpen_messageSentBeforeTheJoinCompletes_isNotDelivered_afterIt_is() {
        OnOpenJoinEndpoint.gate = new CountDownLatch(1);
        String room = unique("late-");
        try (Client client = Client.connect(nodes.get(0).ws("/late?user=" + unique("l") + "&join=" + room))) {
            // the client has its 101; @OnOpen has not joined yet
            Delivery early = sendFromOtherNode(room, "early");

            OnOpenJoinEndpoint.gate.countDown();
            await().atMost(10, TimeUnit.SECONDS).until(() -> client.received().contains("joined:" + room));
            Delivery late = sendFromOtherNode(room, "late");

            assertThat(early.reachedAnyone()).isFalse();
            assertThat(late.sessions()).isEqualTo(1);
            await().atMost(10, TimeUnit.SECONDS).until(() -> client.received().contains("late"));
            assertThat(client.received()).doesNotContain("early");
        } finally {
            OnOpenJoinEndpoint.gate.countDown();
        }
    }

    @Clustered(rooms = {"ok", "not a room"})
    @ServerEndpoint("/bad-rooms")
    public static class BadRoomsEndpoint {
    }

    @Test
    void fixedRooms_withAnInvalidName_failDeployment() {
        assertThatThrownBy(() -> Nodes.start(1, b -> b.endpoint(BadRoomsEndpoint.class)).close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("@Clustered(rooms) of " + BadRoomsEndpoint.class.getName()
                        + " must hold valid room names but held 'not a room'");
    }
}
