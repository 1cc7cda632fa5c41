package io.wscluster.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wscluster.examples.chat.support.Http;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.testkit.ChatNodeProcess;
import io.wscluster.testkit.FreePorts;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar as the outside world runs it ({@code mvn verify}): {@code java -jar} with the
 * protocol's flags, the READY line, a message across two processes, and SIGTERM: close 1001, the node
 * leaves the cluster, exit status 0 within 10 s.
 */
@Execution(ExecutionMode.CONCURRENT) // its methods start separate processes on separate ports
class ChatJarIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Path LOGS = Path.of("target", "it-logs");

    /** {@code java -Xmx256m -jar wscluster-chat.jar ARGS}, its output in target/it-logs/NAME.log. */
    private static ChatNodeProcess start(String name, String... args) {
        return ChatNodeProcess.start(name, LOGS, List.of("-Xmx256m"), List.of(args));
    }

    private static ChatNodeProcess startOnceReady(ChatNodeProcess first, String name, String... args) {
        first.awaitReady(START);
        return start(name, args);
    }

    @Test
    @DisplayName("two jar nodes form a cluster; SIGTERM drains one: 1001, it leaves, it exits 0 within 10 s")
    void twoNodes_messageCrosses_sigtermDrains() {
        int[] clusterPorts = FreePorts.of(2);
        String members = "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1];
        String name = "chat-it-" + UUID.randomUUID().toString().substring(0, 8);
        // node-two starts once node-one is READY, as a rolling start does: two members that start at the
        // same moment join while the other still reads its tables, and Hazelcast then logged an ERROR
        // ("Not Member!", CallerNotMemberException, retried by itself) in a clean-clone run
        try (ChatNodeProcess one = start("node-one", "--host", "127.0.0.1", "--port", "0", "--cluster-port",
                Integer.toString(clusterPorts[0]), "--members", members, "--cluster-name", name);
             ChatNodeProcess two = startOnceReady(one, "node-two", "--host", "127.0.0.1", "--port", "0", "--cluster-port",
                     Integer.toString(clusterPorts[1]), "--members", members, "--cluster-name", name)) {
            two.awaitReady(START);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Http.health(one.port()).json().path("members").asInt()).isEqualTo(2);
                assertThat(Http.health(two.port()).json().path("members").asInt()).isEqualTo(2);
            });

            try (ChatClient alice = ChatClient.connect(URI.create("ws://127.0.0.1:" + one.port() + "/chat?user=alice"), "alice");
                 ChatClient bob = ChatClient.connect(URI.create("ws://127.0.0.1:" + two.port() + "/chat?user=bob"), "bob")) {
                alice.join("lobby");
                bob.join("lobby");
                bob.send("op", "send", "room", "lobby", "body", "across processes");
                assertThat(alice.await(f -> f.path("op").asText().equals("msg")).path("from").asText()).isEqualTo("bob");

                long start = System.nanoTime();
                two.terminate();
                assertThat(bob.awaitClose(ChatClient.WAIT).code()).isEqualTo(1001);
                int status = two.awaitExit(Duration.ofSeconds(15));
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(status).as("exit status after SIGTERM; log:%n%s", two.logText()).isZero();
                assertThat(tookMs).as("drain time").isLessThan(10_000);

                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    JsonNode h = Http.health(one.port()).json();
                    assertThat(h.path("members").asInt()).isEqualTo(1);
                    assertThat(h.path("clusterSessions").asInt()).isEqualTo(1);
                });
                assertThat(alice.who("lobby")).containsExactly("alice");
            }
            one.terminate();
            assertThat(one.awaitExit(Duration.ofSeconds(15))).isZero();
            for (ChatNodeProcess node : new ChatNodeProcess[] {one, two}) {
                assertThat(node.logText()).contains("READY " + node.port()).contains("drained")
                        .doesNotContain("SLF4J(W)").doesNotContain("--add-opens").doesNotContain(" ERROR ").doesNotContain("\n\tat ");
            }
        }
    }

    @Test
    @DisplayName("--help exits 0 with the usage; a bad flag exits 2 naming it")
    void commandLine_helpAndErrors() {
        try (ChatNodeProcess help = start("help", "--help")) {
            assertThat(help.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(help.logText()).contains("Usage: wscluster-chat").contains("--failure-timeout-ms");
        }
        try (ChatNodeProcess bad = start("bad-flag", "--rate-burst", "0")) {
            assertThat(bad.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(bad.logText()).contains("--rate-burst must be >= 1 but was 0");
        }
    }
}
