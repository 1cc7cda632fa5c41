package io.wscluster.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wscluster.examples.chat.support.Binaries;
import io.wscluster.examples.chat.support.Chromium;
import io.wscluster.examples.chat.support.Nginx;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.examples.chat.testkit.ChatNodeProcess;
import io.wscluster.testkit.FreePorts;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, the browser page: headless Chromium opens the page through nginx in front of three chat
 * node processes. Entering a room with history shows its last 50 messages. Then the node holding the
 * page's WebSocket is killed (SIGKILL) while another client sends into the room; the page reconnects
 * through nginx to another node, resumes the room from the last message it showed, and shows exactly
 * the messages sent meanwhile, once each, in order, after the ones it had, with its state at
 * "caught up".
 *
 * <p>To be sure the messages fall into the page's absence (and come back by the resume, not live), nginx
 * is paused (SIGSTOP) from just before the kill until they are all sent: the page's socket, and its
 * reconnect, wait in nginx meanwhile. A test of the packaged jar ({@code mvn verify}).
 */
@Isolated("three node processes, nginx and a headless Chromium; kills a node")
class BrowserResumeIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration START = Duration.ofSeconds(120); // three JVMs starting at once on a busy 2-core machine
    private static final Path LOGS = Path.of("target", "it-logs");
    private static final String ROOM = "resume";
    private static final int EARLY = 60;  // sent before the page enters the room: it shows the last 50
    private static final int SHOWN = 50;
    private static final int MISSED = 10; // sent while the page's node is dead

    @Test
    @DisplayName("the page's node is killed: the page resumes through nginx on another node with exactly the messages it missed")
    void killTheNodeOfThePage_pageResumesThroughNginx() {
        Path nginxBinary = Binaries.require("nginx", "apt-get update && apt-get install -y nginx");
        List<ChatNodeProcess> nodes = new ArrayList<>();
        try (Chromium browsers = Chromium.require()) {
            int[] clusterPorts = FreePorts.of(3);
            String members = IntStream.of(clusterPorts).mapToObj(p -> "127.0.0.1:" + p).reduce((a, b) -> a + "," + b).orElseThrow();
            String name = "browser-resume-" + UUID.randomUUID().toString().substring(0, 8);
            for (int i = 0; i < 3; i++) {
                nodes.add(ChatNodeProcess.start("browser-resume-" + i, LOGS, List.of("-Xmx256m"), List.of("--host", "127.0.0.1",
                        "--port", "0", "--cluster-port", Integer.toString(clusterPorts[i]), "--members", members, "--cluster-name", name)));
            }
            for (ChatNodeProcess node : nodes) {
                node.awaitReady(START);
            }
            await().atMost(START).ignoreExceptionsInstanceOf(UncheckedIOException.class)
                    .until(() -> nodes.stream().allMatch(n -> n.health().path("members").asInt() == 3));

            try (Nginx nginx = Nginx.start(nginxBinary, Nginx.Mode.LEAST, nodes.stream().map(ChatNodeProcess::port).toList())) {
                WebDriver page = browsers.open();
                page.get("http://127.0.0.1:" + nginx.port() + "/");
                page.findElement(By.id("user")).clear();
                page.findElement(By.id("user")).sendKeys("reader");
                page.findElement(By.id("connect")).click();
                await().atMost(WAIT).untilAsserted(() -> assertThat(text(page, "status")).isEqualTo("connected as reader"));
                int holder = nodeHolding(nodes);
                int senderNode = (holder + 1) % 3;
                String holderId = health(nodes.get(holder)).path("node").asText();

                try (ChatClient sender = ChatClient.connect(nodes.get(senderNode).chatUri("writer"), "writer")) {
                    sender.join(ROOM);
                    List<String> expected = new ArrayList<>();
                    for (int i = 1; i <= EARLY; i++) {
                        sendAndSee(sender, "early-" + i);
                        if (i > EARLY - SHOWN) {
                            expected.add("[" + ROOM + "] writer: early-" + i);
                        }
                    }

                    // Entering the room shows its last 50 messages, then live ones.
                    page.findElement(By.id("room")).clear();
                    page.findElement(By.id("room")).sendKeys(ROOM);
                    page.findElement(By.id("join")).click();
                    await().atMost(WAIT).untilAsserted(() -> assertThat(shown(page)).containsExactlyElementsOf(expected));
                    sendAndSee(sender, "live-before");
                    expected.add("[" + ROOM + "] writer: live-before");
                    await().atMost(WAIT).untilAsserted(() -> assertThat(shown(page)).containsExactlyElementsOf(expected));
                    assertThat(text(page, "node")).startsWith("node " + holderId + " ");
                    recordSyncStates(page);

                    nginx.pause();
                    try {
                        nodes.get(holder).kill();
                        // While the cluster notices the death, a send may be answered unavailable: retried.
                        for (int i = 1; i <= MISSED; i++) {
                            sendAndSee(sender, "missed-" + i);
                            expected.add("[" + ROOM + "] writer: missed-" + i);
                        }
                        assertThat(shown(page)).as("nothing reaches the page while its node is dead").doesNotContain(expected.get(expected.size() - 1));
                    } finally {
                        nginx.unpause();
                    }

                    await().atMost(WAIT).untilAsserted(() -> {
                        assertThat(text(page, "sync")).as("nginx log: %s", nginx.errorLog()).isEqualTo("caught up");
                        assertThat(shown(page)).containsExactlyElementsOf(expected);
                    });
                    assertThat(syncStates(page)).as("the page showed that it was reconnecting, then that it caught up")
                            .containsSubsequence("reconnecting…", "caught up");
                    assertThat(text(page, "node")).as("the page is on another node now").startsWith("node ").doesNotContain(holderId)
                            .doesNotContain("?");

                    // Live again, without a gap or a duplicate.
                    sendAndSee(sender, "live-after");
                    expected.add("[" + ROOM + "] writer: live-after");
                    await().atMost(WAIT).untilAsserted(() -> assertThat(shown(page)).containsExactlyElementsOf(expected));
                    assertThat(text(page, "sync")).isEqualTo("caught up");
                }
            }
        } finally {
            nodes.forEach(ChatNodeProcess::close);
        }
    }

    /**
     * Sends one message and waits for the sender's own copy. While the cluster recovers from the kill a
     * send may be answered {@code unavailable}; the protocol lets a client retry it, and this does, until
     * {@link #WAIT}.
     */
    private static void sendAndSee(ChatClient sender, String body) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            int from = sender.received().size();
            sender.send("op", "send", "room", ROOM, "body", body);
            JsonNode answer = sender.awaitFrom(from, f -> ("msg".equals(f.path("op").asText()) && body.equals(f.path("body").asText()))
                    || "error".equals(f.path("op").asText()));
            if ("msg".equals(answer.path("op").asText())) {
                return;
            }
            assertThat(answer.path("code").asText()).as("%s", answer).isEqualTo("unavailable");
            assertThat(System.nanoTime()).as("send of %s retried until the deadline", body).isLessThan(deadline);
        }
    }

    /** The one node whose {@code /health} counts the page's connection (the only one in the cluster yet). */
    private static int nodeHolding(List<ChatNodeProcess> nodes) {
        int[] found = {-1};
        await().atMost(WAIT).ignoreExceptionsInstanceOf(UncheckedIOException.class).until(() -> {
            List<Integer> holding = IntStream.range(0, nodes.size())
                    .filter(i -> nodes.get(i).health().path("localSessions").asInt() == 1).boxed().toList();
            found[0] = holding.size() == 1 ? holding.get(0) : -1;
            return found[0] >= 0;
        });
        return found[0];
    }

    /** @return the node's {@code /health}, asked again while a busy node does not answer within its 3 s */
    private static JsonNode health(ChatNodeProcess node) {
        return await().atMost(WAIT).ignoreExceptionsInstanceOf(UncheckedIOException.class).until(node::health, h -> true);
    }

    /** @return the room messages the page shows, as their text, in page order */
    @SuppressWarnings("unchecked")
    private static List<String> shown(WebDriver page) {
        return (List<String>) ((JavascriptExecutor) page).executeScript(
                "return [...document.querySelectorAll('#log li.msg')].map(li => li.textContent);");
    }

    /** Records every text the page's sync state takes from now on (it may pass through a state quickly). */
    private static void recordSyncStates(WebDriver page) {
        ((JavascriptExecutor) page).executeScript(
                "const el = document.getElementById('sync'); window.syncStates = [el.textContent];"
                        + "new MutationObserver(() => window.syncStates.push(el.textContent))"
                        + ".observe(el, {childList: true, characterData: true, subtree: true});");
    }

    @SuppressWarnings("unchecked")
    private static List<String> syncStates(WebDriver page) {
        return (List<String>) ((JavascriptExecutor) page).executeScript("return window.syncStates;");
    }

    private static String text(WebDriver driver, String id) {
        return driver.findElement(By.id(id)).getText();
    }
}
