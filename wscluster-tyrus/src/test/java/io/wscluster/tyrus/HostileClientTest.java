package io.wscluster.tyrus;

import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.support.PlainEndpoint;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Probes of a hostile client on raw sockets, against real servers: malformed handshakes and frames,
 * path traversal, slow and silent handshakes, many connections from one address, silent connections.
 */
class HostileClientTest {

    private static final int DEADLINE_MILLIS = 5_000;
    private static Nodes node;
    private static Path web;

    @BeforeAll
    static void start() throws IOException {
        web = Files.createTempDirectory("wscluster-hostile");
        Files.writeString(web.resolve("page.html"), "<h1>page</h1>");
        node = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class).staticResources(web));
    }

    @AfterAll
    static void stop() throws IOException {
        if (node != null) {
            node.close();
        }
        Files.deleteIfExists(web.resolve("page.html"));
        Files.deleteIfExists(web);
    }

    /** Sends a raw request and returns the response's status line ("" if the server closed first). */
    static String statusLine(int port, String request) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), DEADLINE_MILLIS);
            s.setSoTimeout(DEADLINE_MILLIS);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            StringBuilder line = new StringBuilder();
            InputStream in = s.getInputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\r') {
                line.append((char) b);
            }
            return line.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String upgrade(String target, String key) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    /** Whether the server closes the socket within the deadline (end of stream or reset); reads and drops data. */
    static boolean closedByServer(Socket s, int deadlineMillis) throws IOException {
        s.setSoTimeout(deadlineMillis);
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[512];
            while (in.read(buf) >= 0) {
                // drop
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    @ParameterizedTest(name = "key ''{0}''")
    @ValueSource(strings = {"abc", "AAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAAAAAAAA==",
            "!!!!!!!!!!!!!!!!!!!!!!==", ""})
    void secWebSocketKey_notSixteenBase64Bytes_isRefusedWith400(String key) {
        int port = node.get(0).port();

        assertThat(statusLine(port, upgrade("/plain", key))).isEqualTo("HTTP/1.1 400 Bad Request");

        assertThat(statusLine(port, upgrade("/plain", "dGhlIHNhbXBsZSBub25jZQ=="))).isEqualTo("HTTP/1.1 101 Switching Protocols");
    }

    @Test
    void unmaskedClientFrame_isClosedWith1002() throws IOException {
        try (RawWebSocket ws = RawWebSocket.connect(node.get(0).port(), "/plain")) {
            assertThat(ws.status()).isEqualTo(101);
            ws.sendText("masked");
            assertThat(ws.readText()).isEqualTo("masked");

            OutputStream out = ws.socket().getOutputStream();
            out.write(new byte[]{(byte) 0x81, 2, 'h', 'i'});
            out.flush();

            assertThat(ws.awaitClose().code()).isEqualTo(1002);
        }
    }

    /** Issue 12: after the 101 the connection's bytes skip Grizzly's HTTP codec; they must still be read as frames. */
    @Test
    void afterTheUpgrade_anHttpRequest_isReadAsAFrame_notAnsweredAsHttp() throws IOException {
        try (RawWebSocket ws = RawWebSocket.connect(node.get(0).port(), "/plain")) {
            ws.sendText("before");
            assertThat(ws.readText()).isEqualTo("before");

            OutputStream out = ws.socket().getOutputStream();
            out.write(upgrade("/plain", "dGhlIHNhbXBsZSBub25jZQ==").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();

            // "GE..." as a frame is unmasked: closed with 1002; an HTTP answer would not parse as a close frame
            assertThat(ws.awaitClose().code()).isEqualTo(1002);
        }
    }

    /** Issue 12: frames split over many reads, and many frames in one read, after the upgrade. */
    @Test
    void afterTheUpgrade_framesSplitOverReadsOrSharingOne_areAllDelivered() throws IOException {
        try (RawWebSocket ws = RawWebSocket.connect(node.get(0).port(), "/plain")) {
            ws.socket().setTcpNoDelay(true);
            OutputStream out = ws.socket().getOutputStream();
            byte[] split = maskedText("one byte at a time");
            for (byte b : split) {
                out.write(b);
                out.flush();
            }
            assertThat(ws.readText()).isEqualTo("one byte at a time");

            byte[] first = maskedText("first");
            byte[] second = maskedText("second");
            byte[] both = new byte[first.length + second.length];
            System.arraycopy(first, 0, both, 0, first.length);
            System.arraycopy(second, 0, both, first.length, second.length);
            out.write(both);
            out.flush();
            assertThat(ws.readText()).isEqualTo("first");
            assertThat(ws.readText()).isEqualTo("second");
        }
    }

    /** A final text frame under 126 bytes, masked with a fixed mask. */
    private static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        return frame;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2E/page.html", "/a/../../etc/passwd",
            "/..%2f..%2fetc%2fpasswd", "/..\\..\\etc\\passwd", "/../plain", "/%2e%2e/plain", "/%zz"})
    void traversalPath_isAnswered400Or404_never500(String target) {
        int port = node.get(0).port();

        String plain = statusLine(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        String upgrade = statusLine(port, upgrade(target, "dGhlIHNhbXBsZSBub25jZQ=="));

        assertThat(plain).isIn("HTTP/1.1 400 Bad Request", "HTTP/1.1 404 Not Found");
        assertThat(upgrade).isIn("HTTP/1.1 400 Bad Request", "HTTP/1.1 404 Not Found");
        assertThat(statusLine(port, "GET /page.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK");
    }

    @Test
    void slowAndSilentHandshakes_areClosedAtTheHandshakeTimeout_upgradedOnesStay() throws IOException {
        try (Nodes timed = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class).handshakeTimeout(Duration.ofMillis(800)))) {
            int port = timed.get(0).port();
            try (Socket silent = new Socket("127.0.0.1", port);
                 Socket slow = new Socket("127.0.0.1", port);
                 RawWebSocket upgraded = RawWebSocket.connect(port, "/plain")) {
                slow.getOutputStream().write("GET /plain HTTP/1.1\r\nHost: 127.0.0.1\r\nUpg".getBytes(StandardCharsets.ISO_8859_1));
                long start = System.nanoTime();

                assertThat(closedByServer(silent, DEADLINE_MILLIS)).as("silent socket closed").isTrue();
                assertThat(closedByServer(slow, DEADLINE_MILLIS)).as("slowloris socket closed").isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(DEADLINE_MILLIS));

                upgraded.sendText("still here");
                assertThat(upgraded.readText()).isEqualTo("still here");
            }
        }
    }

    @Test
    void handshakesInProgress_countAgainstTheConnectionCap() throws IOException {
        try (Nodes capped = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class).maxConnections(2)
                .retryAfter(Duration.ofSeconds(7)))) {
            int port = capped.get(0).port();
            try (Socket half1 = new Socket("127.0.0.1", port); Socket half2 = new Socket("127.0.0.1", port)) {
                half1.getOutputStream().write("GET /plain HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
                half2.getOutputStream().write("GET /plain HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
                // the two half-open handshakes hold both slots: a complete one is refused
                await().atMost(5, TimeUnit.SECONDS).until(() ->
                        RawWebSocket.handshake(port, "/plain", Map.of()).status() == 503);
                RawWebSocket.Response refused = RawWebSocket.handshake(port, "/plain", Map.of());
                assertThat(refused.headers()).containsEntry("retry-after", "7");
                assertThat(statusLine(port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK");
            }
            await().atMost(5, TimeUnit.SECONDS).until(() -> {
                try (RawWebSocket ok = RawWebSocket.connect(port, "/plain")) {
                    return ok.status() == 101;
                }
            });
        }
    }

    @Test
    void perAddressBound_refusesFurtherHandshakesFromThatAddressWith503_othersStillConnect() throws IOException {
        try (Nodes bounded = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class).maxConnectionsPerAddress(2)
                .retryAfter(Duration.ofSeconds(3)))) {
            int port = bounded.get(0).port();
            List<RawWebSocket> held = new ArrayList<>();
            try {
                held.add(RawWebSocket.connect(port, "/plain"));
                Socket half = new Socket("127.0.0.1", port); // a handshake in progress counts too
                try {
                    await().atMost(5, TimeUnit.SECONDS).until(() ->
                            RawWebSocket.handshake(port, "/plain", Map.of()).status() == 503);
                    assertThat(RawWebSocket.handshake(port, "/plain", Map.of()).headers()).containsEntry("retry-after", "3");
                    assertThat(viaOtherLoopback(port)).as("another address still connects").isEqualTo(101);
                } finally {
                    half.close();
                }
                await().atMost(5, TimeUnit.SECONDS).until(() -> {
                    try (RawWebSocket again = RawWebSocket.connect(port, "/plain")) {
                        return again.status() == 101;
                    }
                });
            } finally {
                held.forEach(RawWebSocket::close);
            }
        }
    }

    @Test
    void forwardedFor_isHonouredOnlyFromATrustedProxy() {
        AdmissionSettings trusting = AdmissionSettings.builder().maxConnectionsPerAddress(1)
                .trustedProxies("127.0.0.1").build();
        try (Nodes untrusting = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class).maxConnectionsPerAddress(1));
             Nodes proxied = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class).admission(trusting))) {
            int plainPort = untrusting.get(0).port();
            try (RawWebSocket first = RawWebSocket.connect(plainPort, "/plain", Map.of("X-Forwarded-For", "203.0.113.1"), 0)) {
                assertThat(first.status()).isEqualTo(101);
                // a client cannot escape its bound by naming another address
                assertThat(RawWebSocket.handshake(plainPort, "/plain", Map.of("X-Forwarded-For", "203.0.113.2")).status())
                        .isEqualTo(503);
            }
            int proxiedPort = proxied.get(0).port();
            try (RawWebSocket a = RawWebSocket.connect(proxiedPort, "/plain", Map.of("X-Forwarded-For", "203.0.113.1"), 0);
                 RawWebSocket b = RawWebSocket.connect(proxiedPort, "/plain", Map.of("X-Forwarded-For", "198.51.100.7, 203.0.113.2"), 0)) {
                assertThat(a.status()).isEqualTo(101);
                assertThat(b.status()).as("another client behind the proxy").isEqualTo(101);
                assertThat(RawWebSocket.handshake(proxiedPort, "/plain", Map.of("X-Forwarded-For", "203.0.113.1")).status())
                        .as("the same client behind the proxy again").isEqualTo(503);
            }
        }
    }

    @Test
    void silenceTimeout_closesConnectionsWhoseClientSendsNothing() {
        try (Nodes quiet = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class)
                .inbound(InboundSettings.builder().silenceTimeout(Duration.ofMillis(600)).build()))) {
            int port = quiet.get(0).port();
            try (RawWebSocket silent = RawWebSocket.connect(port, "/plain");
                 RawWebSocket talking = RawWebSocket.connect(port, "/plain")) {
                long start = System.nanoTime();
                long until = start + TimeUnit.MILLISECONDS.toNanos(1_500);
                while (System.nanoTime() < until) { // a client that keeps talking stays
                    talking.sendText("ping");
                    assertThat(talking.readText()).isEqualTo("ping");
                    await().pollDelay(Duration.ofMillis(150)).atMost(Duration.ofSeconds(1)).until(() -> true);
                }

                RawWebSocket.Close close = silent.awaitClose();

                assertThat(close.code()).isEqualTo(1000);
                assertThat(close.reason()).isEqualTo("idle timeout");
                talking.sendText("after");
                assertThat(talking.readText()).isEqualTo("after");
            }
        }
    }

    @Test
    void atTheSocketBound_theOldestUnfinishedHandshakeMakesRoom_healthAndClientsStillServed() throws IOException {
        try (Nodes small = Nodes.start(1, b -> b.endpoint(PlainEndpoint.class)
                .admission(AdmissionSettings.builder().maxSockets(20).build()))) {
            int port = small.get(0).port();
            List<Socket> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 60; i++) { // three times the bound, never completing a handshake
                    Socket s = new Socket("127.0.0.1", port);
                    s.getOutputStream().write("GET /plain HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    flood.add(s);
                }
                assertThat(statusLine(port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK");
                try (RawWebSocket client = RawWebSocket.connect(port, "/plain")) {
                    assertThat(client.status()).isEqualTo(101);
                    client.sendText("served");
                    assertThat(client.readText()).isEqualTo("served");
                }
                int closed = 0;
                for (Socket s : flood) {
                    if (closedByServer(s, 50)) {
                        closed++;
                    }
                }
                assertThat(closed).as("flood sockets closed by the server").isGreaterThanOrEqualTo(40);
            } finally {
                for (Socket s : flood) {
                    s.close();
                }
            }
        }
    }

    /** A handshake from 127.0.0.2 (another loopback address). */
    private static int viaOtherLoopback(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), DEADLINE_MILLIS);
            s.setSoTimeout(DEADLINE_MILLIS);
            s.getOutputStream().write(upgrade("/plain", "dGhlIHNhbXBsZSBub25jZQ==").getBytes(StandardCharsets.ISO_8859_1));
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = s.getInputStream().read()) >= 0 && b != '\r') {
                line.append((char) b);
            }
            return Integer.parseInt(line.toString().split(" ")[1]);
        }
    }
}
