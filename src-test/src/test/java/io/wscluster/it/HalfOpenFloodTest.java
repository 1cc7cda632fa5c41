package io.wscluster.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.testkit.ChatNodeProcess;
import io.wscluster.it.harness.NodeLogs;
import io.wscluster.testkit.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The half-open flood of issue 14, scaled to CI: a chat node runs as its own JVM with its
 * file-descriptor limit lowered to {@value #FD_LIMIT} ({@code prlimit}), and the test holds
 * {@value #HALF_OPEN} sockets against it that never complete a handshake, more than the node has
 * descriptors for. While they are held, {@code /health} answers and a legitimate client connects,
 * joins a room and gets its own message back; the node says in its log that it is at its socket
 * bound. The handshake timeout is set far above the test's length, so what keeps the node serving
 * is the socket bound below the descriptor limit, not the timeout.
 */
class HalfOpenFloodTest {

    @RegisterExtension
    static final NodeLogs LOGS = new NodeLogs();
    private static final int FD_LIMIT = 640;
    private static final int HALF_OPEN = 1_000;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void halfOpenSocketsBeyondTheDescriptorLimit_healthAndALegitimateClientStillServed() throws Exception {
        Path prlimit = Path.of("/usr/bin/prlimit");
        assertThat(Files.isExecutable(prlimit)).as("prlimit (util-linux) is needed to lower the node's descriptor limit").isTrue();
        int clusterPort = FreePorts.of(1)[0];
        List<String> launcher = List.of(prlimit.toString(), "--nofile=" + FD_LIMIT + ":" + FD_LIMIT, "--");
        List<String> args = List.of("--host", "127.0.0.1", "--port", "0", "--cluster-port", Integer.toString(clusterPort),
                "--cluster-name", "flood-" + UUID.randomUUID().toString().substring(0, 8), "--handshake-timeout-ms", "600000");
        List<Socket> held = new ArrayList<>();
        try (ChatNodeProcess node = ChatNodeProcess.start("flood-node", LOGS.dir(), launcher,
                List.of("-Xmx256m", "-XX:+UseSerialGC"), args)) {
            node.awaitReady(Duration.ofSeconds(90));
            int port = node.port();
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (int i = 0; i < HALF_OPEN && System.nanoTime() < deadline; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                    s.getOutputStream().write(("GET /chat?user=slow" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    held.add(s);
                } catch (IOException e) {
                    s.close(); // a connect the backlog did not take: the flood goes on
                }
            }
            assertThat(held.size()).as("half-open sockets the test holds").isGreaterThan(FD_LIMIT);

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"members\":1");

            try (ChatClient alice = ChatClient.connect(URI.create("ws://127.0.0.1:" + port + "/chat?user=alice"), "alice")) {
                alice.join("lobby");
                alice.send("op", "send", "room", "lobby", "body", "still served");
                JsonNode msg = alice.await(f -> f.path("op").asText().equals("msg"));
                assertThat(msg.path("body").asText()).isEqualTo("still served");
            }
            await().atMost(WAIT).untilAsserted(() -> assertThat(node.logText()).contains("its bound"));
            assertThat(node.isAlive()).isTrue();
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
