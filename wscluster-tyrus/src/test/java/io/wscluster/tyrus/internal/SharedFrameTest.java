package io.wscluster.tyrus.internal;

import io.wscluster.tyrus.OverflowPolicy;
import io.wscluster.tyrus.WsServer;
import io.wscluster.tyrus.support.Client;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.testkit.RawWebSocket;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Extension;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A room message is framed once per node and written to every receiver that can take that frame
 * (see {@link Outgoing} and {@link SessionSocket}): real Tyrus servers, real Tyrus clients and a raw
 * socket that reads the frame headers as they are on the wire.
 */
class SharedFrameTest {

    private static final String ROOM = "r";
    private static final ClientManager TYRUS = ClientManager.createClient();

    private static Nodes start(Consumer<io.wscluster.tyrus.WsServerBuilder> more) {
        return Nodes.start(1, b -> {
            b.endpoint(ServerEndpointConfig.Builder.create(FramesEndpoint.class, "/frames").build())
                    .endpoint(ServerEndpointConfig.Builder.create(FramesEndpoint.class, "/xor")
                            .extensions(List.<Extension>of(new XorExtension())).build())
                    .maxTextMessageBytes(256 * 1024).maxBinaryMessageBytes(256 * 1024);
            more.accept(b);
        });
    }

    /** Text and binary payloads at and around the three length encodings, several receivers. */
    @Test
    void payloadsAroundTheLengthEncodings_arriveByteExactWithMinimalUnmaskedHeaders() {
        List<String> texts = new ArrayList<>();
        int[] lengths = {0, 1, 125, 126, 127, 65_535, 65_536, 70_000};
        for (int i = 0; i < lengths.length; i++) {
            texts.add(String.valueOf((char) ('a' + i)).repeat(lengths[i]));
        }
        texts.add("é".repeat(63));        // 63 chars, 126 bytes: the 16-bit form by UTF-8 length, not char count
        texts.add("€".repeat(41) + "zz"); // 125 bytes in 43 chars
        texts.add("😀".repeat(16_384));   // 32,768 chars, 65,536 bytes: the 64-bit form
        List<String> binaries = List.of("B".repeat(125), "C".repeat(126), "D".repeat(65_535), "E".repeat(65_536));

        try (Nodes nodes = start(b -> { })) {
            Nodes.Node node = nodes.get(0);
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Client c = Client.connect(node.ws("/frames"));
                assertThat(c.request("takes", "takes:")).isEqualTo("takes:true");
                c.request("join:" + ROOM, "joined:" + ROOM);
                clients.add(c);
            }
            try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/frames")) {
                assertThat(raw.status()).isEqualTo(101);
                WireReader wire = new WireReader(raw);
                raw.sendText("join:" + ROOM);
                assertThat(wire.next().text()).isEqualTo("joined:" + ROOM);

                Client sender = clients.get(0);
                List<String> expected = new ArrayList<>();
                for (String t : texts) {
                    sender.send("text:" + ROOM + ":" + t);
                    expected.add(t);
                }
                for (String b : binaries) {
                    sender.send("bin:" + ROOM + ":" + b);
                    expected.add("binary:" + b);
                }

                for (Client c : clients) {
                    await().atMost(30, TimeUnit.SECONDS).until(() -> roomMessages(c).size() >= expected.size());
                    assertThat(summary(roomMessages(c))).as("what a Tyrus client received, in order").isEqualTo(summary(expected));
                }
                for (String e : expected) {
                    WireFrame f = wire.next();
                    boolean binary = e.startsWith("binary:");
                    assertThat(f.opcode()).isEqualTo(binary ? RawWebSocket.BINARY : RawWebSocket.TEXT);
                    assertThat(summary(List.of(new String(f.payload(), StandardCharsets.UTF_8))))
                            .isEqualTo(summary(List.of(binary ? e.substring("binary:".length()) : e)));
                }
            } finally {
                clients.forEach(Client::close);
            }
        }
    }

    /** Three senders at once into the same five queues: every receiver gets each sender's messages in order. */
    @Test
    void concurrentSenders_eachReceiverKeepsEverySendersOrder() throws Exception {
        int perSender = 300;
        try (Nodes nodes = start(b -> { })) {
            Nodes.Node node = nodes.get(0);
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Client c = Client.connect(node.ws("/frames"));
                c.request("join:" + ROOM, "joined:" + ROOM);
                clients.add(c);
            }
            ExecutorService senders = Executors.newFixedThreadPool(3);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int s = 0; s < 3; s++) {
                    Client sender = clients.get(s);
                    String name = "s" + s;
                    running.add(senders.submit(() -> {
                        for (int i = 0; i < perSender; i++) {
                            // every third message crosses into the 16-bit length form
                            String pad = i % 3 == 0 ? "p".repeat(200) : "";
                            sender.send("text:" + ROOM + ":" + name + ":" + i + ":" + pad);
                        }
                    }));
                }
                for (Future<?> f : running) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                senders.shutdownNow();
            }
            for (Client c : clients) {
                await().atMost(60, TimeUnit.SECONDS).until(() -> roomMessages(c).size() >= 3 * perSender);
                List<String> got = roomMessages(c);
                assertThat(got).hasSize(3 * perSender);
                for (int s = 0; s < 3; s++) {
                    String prefix = "s" + s + ":";
                    List<Integer> order = got.stream().filter(m -> m.startsWith(prefix))
                            .map(m -> Integer.parseInt(m.split(":")[1])).toList();
                    assertThat(order).as("messages of %s", prefix).isEqualTo(range(perSender));
                }
            }
            clients.forEach(Client::close);
        }
    }

    /** A session that never reads is closed by the CLOSE policy while the readers get every message. */
    @Test
    void neverReadingSession_isClosedByItsPolicyWhileTheOthersReceiveEverything() {
        String body = "x".repeat(16 * 1024);
        try (Nodes nodes = start(b -> b.maxQueuedMessages(16).maxQueuedBytes(16 * 20L * 1024)
                .overflowPolicy(OverflowPolicy.CLOSE))) {
            Nodes.Node node = nodes.get(0);
            WsServer server = node.server();
            try (RawWebSocket slow = RawWebSocket.connect(node.port(), "/frames", java.util.Map.of(), 4096)) {
                WireReader wire = new WireReader(slow);
                slow.sendText("takes");
                assertThat(wire.next().text()).isEqualTo("takes:true");
                slow.sendText("join:" + ROOM);
                assertThat(wire.next().text()).isEqualTo("joined:" + ROOM);
                List<Client> readers = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    Client c = Client.connect(node.ws("/frames"));
                    c.request("join:" + ROOM, "joined:" + ROOM);
                    readers.add(c);
                }
                Client sender = readers.get(0);
                int sent = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (sent < 1_000 && System.nanoTime() < deadline && server.stats().slowConsumerCloses() == 0) {
                    sender.send("text:" + ROOM + ":" + body);
                    sent++;
                    int expected = sent;
                    await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(10, TimeUnit.SECONDS)
                            .until(() -> roomMessages(readers.get(1)).size() >= expected);
                }
                assertThat(server.stats().slowConsumerCloses()).as("closed within %d sends", sent).isEqualTo(1);
                int total = sent;
                for (Client c : readers) {
                    await().atMost(30, TimeUnit.SECONDS).until(() -> roomMessages(c).size() >= total);
                    assertThat(roomMessages(c)).hasSize(total);
                    assertThat(roomMessages(c).stream().allMatch(body::equals)).as("every message whole").isTrue();
                    assertThat(c.session().isOpen()).isTrue();
                    c.close();
                }
            }
        }
    }

    /**
     * A session with a negotiated extension that rewrites payloads is sent its own frames (Tyrus runs
     * the extension), next to a session in the same room that takes the shared frame.
     */
    @Test
    void sessionWithANegotiatedExtension_getsItsOwnFramesNextToASharedOne() throws Exception {
        try (Nodes nodes = start(b -> { })) {
            Nodes.Node node = nodes.get(0);
            XorClient xor = XorClient.connect(node.ws("/xor"));
            Client plain = Client.connect(node.ws("/frames"));
            try {
                assertThat(xor.session.getNegotiatedExtensions()).extracting(Extension::getName)
                        .containsExactly(XorExtension.NAME);
                assertThat(xor.request("takes", "takes:")).isEqualTo("takes:false");
                assertThat(plain.request("takes", "takes:")).isEqualTo("takes:true");
                xor.request("join:" + ROOM, "joined:" + ROOM);
                plain.request("join:" + ROOM, "joined:" + ROOM);

                List<String> expected = List.of("q".repeat(10), "w".repeat(126), "é".repeat(40_000));
                for (String t : expected) {
                    plain.send("text:" + ROOM + ":" + t);
                }
                // the other sender's message only once these arrived: order holds per sender, not across
                await().atMost(30, TimeUnit.SECONDS).until(() -> roomMessages(xor.received).size() >= expected.size()
                        && roomMessages(plain).size() >= expected.size());
                xor.send("bin:" + ROOM + ":" + "y".repeat(300));
                List<String> all = new ArrayList<>(expected);
                all.add("binary:" + "y".repeat(300));
                await().atMost(30, TimeUnit.SECONDS).until(() -> roomMessages(xor.received).size() >= all.size()
                        && roomMessages(plain).size() >= all.size());
                assertThat(summary(roomMessages(xor.received))).isEqualTo(summary(all));
                assertThat(summary(roomMessages(plain))).isEqualTo(summary(all));
            } finally {
                xor.session.close();
                plain.close();
            }
        }
    }

    /** Long messages compared by what identifies them, so that a failure prints short lines. */
    private static List<String> summary(List<String> messages) {
        return messages.stream().map(m -> m.length() <= 40 ? m
                : m.substring(0, 20) + "...(" + m.length() + " chars, hash " + m.hashCode() + ")").toList();
    }

    private static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            r.add(i);
        }
        return r;
    }

    private static List<String> roomMessages(Client c) {
        return roomMessages(c.received());
    }

    /** What a client received without the endpoint's own replies. */
    private static List<String> roomMessages(List<String> received) {
        return received.stream().filter(m -> !m.startsWith("joined:") && !m.startsWith("takes:")).toList();
    }

    /** A data frame as read off the socket. */
    private record WireFrame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** Reads server frames byte by byte and checks each header: final, no RSV bits, unmasked, minimal length. */
    private static final class WireReader {
        private final DataInputStream in;

        WireReader(RawWebSocket socket) {
            try {
                in = new DataInputStream(socket.socket().getInputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        WireFrame next() {
            try {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                assertThat(b0 & 0x80).as("FIN").isEqualTo(0x80);
                assertThat(b0 & 0x70).as("RSV bits").isZero();
                assertThat(b1 & 0x80).as("a server frame is not masked").isZero();
                long length = b1 & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                    assertThat(length).as("16-bit length only above 125").isGreaterThan(125);
                } else if (length == 127) {
                    length = in.readLong();
                    assertThat(length).as("64-bit length only above 65,535").isGreaterThan(65_535);
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                return new WireFrame(b0 & 0x0f, payload);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A Tyrus client that offers {@link XorExtension}. */
    private static final class XorClient {
        final List<String> received = new CopyOnWriteArrayList<>();
        Session session;

        static XorClient connect(URI uri) throws Exception {
            XorClient client = new XorClient();
            ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                    .extensions(List.<Extension>of(new XorExtension())).build();
            client.session = TYRUS.connectToServer(new Endpoint() {
                @Override
                public void onOpen(Session s, EndpointConfig c) {
                    s.addMessageHandler(String.class, (MessageHandler.Whole<String>) client.received::add);
                    s.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) b ->
                            client.received.add("binary:" + StandardCharsets.UTF_8.decode(b)));
                }
            }, config, uri);
            return client;
        }

        void send(String text) throws IOException {
            session.getBasicRemote().sendText(text);
        }

        String request(String text, String prefix) throws IOException {
            int before = received.size();
            send(text);
            return await().atMost(10, TimeUnit.SECONDS).until(() -> received.stream().skip(before)
                    .filter(m -> m.startsWith(prefix)).findFirst().orElse(null), m -> m != null);
        }
    }
}
