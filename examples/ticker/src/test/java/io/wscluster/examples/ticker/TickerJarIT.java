package io.wscluster.examples.ticker;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged ticker jar as a process ({@code mvn verify}): SIGTERM drains a node and it exits 0 (not
 * the JVM's 143), and a port already in use ends a node with one error line naming the port and a
 * non-zero status, not a stack trace.
 */
@Execution(ExecutionMode.CONCURRENT) // its methods start separate processes on separate ports
class TickerJarIT {

    private static final Pattern READY = Pattern.compile("READY (\\d+)");

    /** A ticker node process, killed by its PID when the test ends. */
    private static final class Node implements AutoCloseable {
        final Process process;
        final Path log;

        Node(String name, String... args) throws IOException {
            log = Files.createDirectories(Path.of("target", "it-logs")).resolve(name + ".log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-Dhazelcast.phone.home.enabled=false", "-jar",
                    System.getProperty("ticker.jar", "target/wscluster-ticker.jar")));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        }

        String log() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        int awaitReady() {
            int[] port = {-1};
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("node exited with " + process.exitValue() + ":\n" + log());
                }
                Matcher m = READY.matcher(log());
                if (m.find()) {
                    port[0] = Integer.parseInt(m.group(1));
                    return true;
                }
                return false;
            });
            return port[0];
        }

        int awaitExit(Duration timeout) throws InterruptedException {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                try {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static int[] freePorts(int count) {
        return io.wscluster.hazelcast.testkit.ClusterFixture.freePorts(count);
    }

    @Test
    @DisplayName("SIGTERM drains a ticker node: its subscriber gets 1001 and the process exits 0 within 10 s")
    void sigterm_drainsAndExitsZero() throws Exception {
        int clusterPort = freePorts(1)[0];
        try (Node node = new Node("ticker-sigterm", "--port", "0", "--cluster-port", Integer.toString(clusterPort),
                "--produce", "AAPL", "--interval-ms", "50")) {
            int port = node.awaitReady();
            List<String> ticks = new CopyOnWriteArrayList<>();
            CompletableFuture<CloseReason> closed = new CompletableFuture<>();
            ClientManager.createClient().connectToServer(new Endpoint() {
                @Override
                public void onOpen(Session session, EndpointConfig config) {
                    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) ticks::add);
                    try {
                        session.getBasicRemote().sendText("AAPL");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                public void onClose(Session session, CloseReason reason) {
                    closed.complete(reason);
                }
            }, ClientEndpointConfig.Builder.create().build(), URI.create("ws://127.0.0.1:" + port + "/ticker"));
            await().atMost(Duration.ofSeconds(10)).until(() -> ticks.size() >= 2);

            long start = System.nanoTime();
            node.process.destroy(); // SIGTERM
            assertThat(closed.get(10, TimeUnit.SECONDS).getCloseCode().getCode()).isEqualTo(1001);
            int status = node.awaitExit(Duration.ofSeconds(15));
            assertThat(status).as("exit status after SIGTERM; log:%n%s", node.log()).isZero();
            assertThat((System.nanoTime() - start) / 1_000_000).as("drain time in ms").isLessThan(10_000);
            assertThat(node.log()).contains("drained").doesNotContain("\n\tat ");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"port", "cluster port"})
    @DisplayName("a port already in use: one error line naming the port, exit status 1, no stack trace")
    void portInUse_oneErrorLine_exitsNonZero(String which) throws Exception {
        int[] clusterPorts = freePorts(2);
        String members = "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1];
        try (Node first = new Node("ticker-" + which.replace(' ', '-') + "-first", "--port", "0", "--cluster-port", Integer.toString(clusterPorts[0]),
                "--members", members)) {
            int taken = first.awaitReady();
            boolean http = which.equals("port");
            int clash = http ? taken : clusterPorts[0];
            try (Node second = new Node("ticker-" + which.replace(' ', '-') + "-second", "--port", Integer.toString(http ? taken : 0),
                    "--cluster-port", Integer.toString(http ? clusterPorts[1] : clusterPorts[0]), "--members", members)) {
                int status = second.awaitExit(Duration.ofSeconds(60));
                String log = second.log();
                assertThat(status).as("exit status; log:%n%s", log).isEqualTo(1);
                String expected = "wscluster-ticker: " + which + " " + clash + " on 127.0.0.1 is already in use; choose another with "
                        + (http ? "--port" : "--cluster-port");
                assertThat(log.lines().filter(l -> l.contains("already in use")).toList()).containsExactly(expected);
                assertThat(log).doesNotContain("\tat ").doesNotContain("Exception");
            }
            assertThat(first.process.isAlive()).as("the first node is not harmed").isTrue();
        }
    }
}
