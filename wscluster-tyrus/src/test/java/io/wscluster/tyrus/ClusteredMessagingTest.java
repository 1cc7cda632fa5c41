package io.wscluster.tyrus;

import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.tyrus.support.Client;
import io.wscluster.tyrus.support.CommandEndpoint;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.support.RoomEndpoint;
import jakarta.websocket.CloseReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Three real nodes (Hazelcast member + Tyrus server each) and real WebSocket clients. */
class ClusteredMessagingTest {

    private static final java.util.concurrent.atomic.AtomicInteger RATE_LIMITED = new java.util.concurrent.atomic.AtomicInteger();
    private static Nodes nodes;

    @BeforeAll
    static void startNodes() {
        nodes = Nodes.start(3, b -> b.endpoint(CommandEndpoint.class).endpoint(RoomEndpoint.class)
                .userResolver(UserResolver.queryParam("user"))
                .rateLimit(0.001, 2).onRateLimited(s -> RATE_LIMITED.incrementAndGet()));
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.get(0).cluster().nodes().size() == 3);
    }

    @AfterAll
    static void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 6);
    }

    /** Connects user to node i and returns the client once its hello (with its session id) arrived. */
    private static Client connect(int node, String user) {
        Client c = Client.connect(nodes.get(node).ws("/chat?user=" + user));
        await().atMost(10, TimeUnit.SECONDS).until(() -> c.received().stream().anyMatch(m -> m.startsWith("hello:")));
        return c;
    }

    private static SessionId idOf(Client c) {
        String hello = c.received().stream().filter(m -> m.startsWith("hello:")).findFirst().orElseThrow();
        return SessionId.parse(hello.split(":")[1]);
    }

    private static long count(Client c, String message) {
        return c.received().stream().filter(message::equals).count();
    }

    private static List<Client> concat(List<Client> clients, Client another) {
        List<Client> all = new ArrayList<>(clients);
        all.add(another);
        return all;
    }

    @Test
    void open_onClusteredEndpoint_registersSessionWithUserAndPathBeforeOnOpen() {
        String user = unique("u");
        try (Client c = connect(1, user)) {
            SessionId id = idOf(c);
            assertThat(id.isOwnedBy(nodes.get(1).cluster().localNode())).isTrue();
            Optional<SessionInfo> seen = nodes.get(2).cluster().registry().session(id);
            assertThat(seen).isPresent();
            assertThat(seen.get().path()).isEqualTo("/chat");
            assertThat(seen.get().user()).contains(user);
            assertThat(c.received().get(0)).isEqualTo("hello:" + id + ":" + user);
        }
    }

    @Test
    void close_byClient_deregistersSessionOnEveryNode() {
        String user = unique("u");
        Client c = connect(0, user);
        SessionId id = idOf(c);
        assertThat(nodes.get(2).cluster().registry().isOnline(user)).isTrue();

        c.close();

        await().atMost(10, TimeUnit.SECONDS).until(() -> nodes.get(2).cluster().registry().session(id).isEmpty());
        assertThat(nodes.get(1).cluster().registry().isOnline(user)).isFalse();
    }

    @Test
    void send_toRoom_reachesEveryMemberOnEveryNodeOnce() {
        String room = unique("r");
        List<Client> members = new ArrayList<>();
        try (Client outsider = connect(2, unique("o"))) {
            for (int i = 0; i < 3; i++) {
                Client c = connect(i, unique("m"));
                c.request("join:" + room, "joined:" + room);
                members.add(c);
            }

            String reply = members.get(0).request("room:" + room + ":hi", "sent:");

            assertThat(reply).isEqualTo("sent:3:3");
            for (Client m : members) {
                await().atMost(10, TimeUnit.SECONDS).until(() -> m.received().stream().anyMatch(s -> s.endsWith(":hi")));
            }
            String expected = members.get(0).received().stream().filter(s -> s.endsWith(":hi")).findFirst().orElseThrow();
            // a control from the same sender: each node gets it after the room message and each socket's queue
            // keeps order, so once every client has it a duplicate or a stray copy would be there too
            members.get(0).request("all:ping", "sent:");
            for (Client c : concat(members, outsider)) {
                await().atMost(10, TimeUnit.SECONDS).until(() -> c.received().stream().anyMatch(s -> s.endsWith(":ping")));
            }
            for (Client m : members) {
                assertThat(count(m, expected)).isEqualTo(1);
            }
            assertThat(outsider.received()).noneMatch(s -> s.endsWith(":hi"));
        } finally {
            members.forEach(Client::close);
        }
    }

    @Test
    void send_toUser_reachesEveryConnectionOfThatUserOnAnyNode() {
        String alice = unique("alice");
        try (Client a0 = connect(0, alice); Client a2 = connect(2, alice); Client bob = connect(1, unique("bob"))) {
            String reply = bob.request("user:" + alice + ":psst", "sent:");

            assertThat(reply).isEqualTo("sent:2:2");
            String body = "msg:" + bob.received().get(0).split(":")[2] + ":psst";
            await().atMost(10, TimeUnit.SECONDS).until(() -> count(a0, body) == 1 && count(a2, body) == 1);
            // a later message to the same user proves a second copy would have arrived by now
            bob.request("user:" + alice + ":after", "sent:");
            await().atMost(10, TimeUnit.SECONDS).until(() -> a0.received().stream().anyMatch(m -> m.endsWith(":after"))
                    && a2.received().stream().anyMatch(m -> m.endsWith(":after")));
            assertThat(count(a0, body)).isEqualTo(1);
            assertThat(count(a2, body)).isEqualTo(1);
            assertThat(bob.received()).doesNotContain(body);
        }
    }

    @Test
    void send_toUserWithNoConnection_reportsNobody() {
        try (Client bob = connect(1, unique("bob"))) {
            assertThat(bob.request("user:" + unique("ghost") + ":hello?", "sent:")).isEqualTo("sent:0:0");
        }
    }

    @Test
    void send_toSession_reachesOnlyThatSessionOnAnotherNode() {
        String user = unique("u");
        try (Client target = connect(2, user); Client other = connect(2, user); Client sender = connect(0, unique("s"))) {
            String reply = sender.request("session:" + idOf(target) + ":direct", "sent:");

            assertThat(reply).isEqualTo("sent:1:1");
            await().atMost(10, TimeUnit.SECONDS).until(() -> target.received().stream().anyMatch(m -> m.endsWith(":direct")));
            // a control to the other session from the same sender, after the first: once it is there, a stray
            // copy of the first would be too
            sender.request("session:" + idOf(other) + ":control", "sent:");
            await().atMost(10, TimeUnit.SECONDS).until(() -> other.received().stream().anyMatch(m -> m.endsWith(":control")));
            assertThat(other.received()).noneMatch(m -> m.endsWith(":direct"));
        }
    }

    @Test
    void send_toEndpointAndAll_reachesSessionsOfThatPathOrEveryone() {
        String room = unique("r");
        try (Client chat0 = connect(0, unique("a")); Client chat1 = connect(1, unique("b"));
             Client roomClient = Client.connect(nodes.get(2).ws("/rooms/" + room))) {
            await().atMost(10, TimeUnit.SECONDS).until(() -> nodes.get(0).cluster().registry().sessionsInRoom(room).size() == 1);

            chat0.request("endpoint:/chat:to-chat", "sent:");
            chat0.request("all:to-all", "sent:");

            await().atMost(10, TimeUnit.SECONDS).until(() -> chat1.received().stream().anyMatch(m -> m.endsWith(":to-chat"))
                    && chat1.received().stream().anyMatch(m -> m.endsWith(":to-all"))
                    && roomClient.received().stream().anyMatch(m -> m.endsWith(":to-all")));
            assertThat(roomClient.received()).noneMatch(m -> m.endsWith(":to-chat"));
        }
    }

    @Test
    void open_withRoomPathParam_joinsRoomBeforeMessagesFlow() {
        String room = unique("r");
        try (Client a = Client.connect(nodes.get(0).ws("/rooms/" + room));
             Client b = Client.connect(nodes.get(1).ws("/rooms/" + room))) {
            await().atMost(10, TimeUnit.SECONDS).until(() -> nodes.get(2).cluster().registry().sessionsInRoom(room).size() == 2);

            a.send("hey");

            await().atMost(10, TimeUnit.SECONDS).until(() -> b.received().contains(room + ">hey") && a.received().contains(room + ">hey"));
        }
    }

    @Test
    void open_withInvalidRoomPathParam_closesWith1008AndDeregisters() {
        // a user of its own, not a count: other tests' sessions may still be deregistering (a count read
        // before them never came back once in CI)
        String user = unique("badroom");
        Client c = Client.connect(nodes.get(0).ws("/rooms/bad!room?user=" + user));

        CloseReason reason = c.closed().orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(reason.getCloseCode().getCode()).isEqualTo(1008);
        await().atMost(10, TimeUnit.SECONDS).until(() -> nodes.get(0).cluster().registry().sessionsOfUser(user).isEmpty()
                && nodes.get(0).cluster().registry().localSessions().stream().noneMatch(s -> s.user().filter(user::equals).isPresent()));
    }

    @Test
    void tryAcquire_pastTheBurst_isRefusedAndCallsTheRateLimitCallback() {
        try (Client c = connect(0, unique("flood"))) {
            int before = RATE_LIMITED.get();
            assertThat(c.request("limited", "acquired:")).isEqualTo("acquired:true");
            assertThat(c.request("limited", "acquired:")).isEqualTo("acquired:true");
            c.received().clear();

            assertThat(c.request("limited", "acquired:")).isEqualTo("acquired:false");
            assertThat(RATE_LIMITED.get()).isEqualTo(before + 1);
        }
    }

    @Test
    void disconnect_ofRemoteSession_closesItsSocketWithTheCodeAndDeregisters() {
        try (Client victim = connect(2, unique("v")); Client admin = connect(0, unique("admin"))) {
            SessionId id = idOf(victim);

            assertThat(admin.request("kick:" + id, "kicked:")).isEqualTo("kicked:true");

            CloseReason reason = victim.closed().orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(reason.getCloseCode().getCode()).isEqualTo(4001);
            assertThat(reason.getReasonPhrase()).isEqualTo("kicked");
            await().atMost(10, TimeUnit.SECONDS).until(() -> nodes.get(1).cluster().registry().session(id).isEmpty());
        }
    }
}
