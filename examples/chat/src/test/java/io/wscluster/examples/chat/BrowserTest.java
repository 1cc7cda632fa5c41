package io.wscluster.examples.chat;

import io.wscluster.examples.chat.support.Binaries;
import io.wscluster.examples.chat.support.ChatCluster;
import io.wscluster.examples.chat.support.Chromium;
import io.wscluster.examples.chat.support.Http;
import io.wscluster.examples.chat.support.Jwts;
import io.wscluster.examples.chat.support.Nginx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The browser page end to end: Debian's headless Chromium, driven by Selenium through Debian's
 * chromedriver, opens the page of two different nodes; a message typed on one appears on the other.
 */
@Isolated("two or three headless Chromium processes: the heaviest class; alone, its waits stay far from their bounds")
class BrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(30); // generous: a 2-core CI machine runs two test classes at once

    private ChatCluster cluster;
    private Chromium browsers;

    @AfterEach
    void stop() {
        if (browsers != null) {
            browsers.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @DisplayName("two pages on two nodes: a message typed on one appears on the other")
    void twoPagesOnTwoNodes_messageCrosses() {
        browsers = Chromium.require();
        cluster = ChatCluster.start(2);

        WebDriver alice = open(browsers.open(), cluster.node(0).port(), "alice");
        WebDriver bob = open(browsers.open(), cluster.node(1).port(), "bob");
        assertThat(text(alice, "mode")).startsWith("Demo mode:"); // issue 14: the page says who may be anyone
        assertThat(text(alice, "node")).contains(cluster.node(0).cluster().localNode().value());
        assertThat(text(bob, "node")).contains(cluster.node(1).cluster().localNode().value());

        // Each page lists both users in the room, whatever node they are on.
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(alice, "members")).contains("bob").contains("alice (you)"));

        type(alice, "hello from node one");
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(bob, "log")).contains("[lobby] alice: hello from node one"));
        type(bob, "hi back from node two");
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(alice, "log")).contains("[lobby] bob: hi back from node two"));

        type(alice, "@bob a direct message");
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(bob, "log")).contains("(direct) alice: a direct message"));
        screenshot(bob, "browser-bob.png");
    }

    /**
     * Behind nginx (least_conn) the page's {@code /health} request goes to the node with fewer open
     * connections, which is not the one holding the page's WebSocket: the badge must name the node that
     * holds the socket, which only the {@code joined} frame tells.
     */
    @Test
    @DisplayName("through nginx the badge names the node that holds the page's WebSocket")
    void throughNginx_badgeNamesNodeOfSocket() {
        browsers = Chromium.require();
        Path nginxBinary = Binaries.require("nginx", "apt-get update && apt-get install -y nginx");
        cluster = ChatCluster.start(2);
        try (Nginx nginx = Nginx.start(nginxBinary, Nginx.Mode.LEAST, List.of(cluster.node(0).port(), cluster.node(1).port()))) {
            WebDriver page = open(browsers.open(), nginx.port(), "carol");
            int[] holding = {-1};
            await().atMost(WAIT).until(() -> {
                for (int i = 0; i < 2; i++) {
                    if (Http.health(cluster.node(i).port()).json().path("localSessions").asInt() == 1) {
                        holding[0] = i;
                        return true;
                    }
                }
                return false;
            });
            String holder = cluster.node(holding[0]).cluster().localNode().value();
            String other = cluster.node(1 - holding[0]).cluster().localNode().value();
            // The page refreshes the cluster counts from /health every 5 s; the node name must survive that.
            await().atMost(WAIT).untilAsserted(() -> assertThat(text(page, "node")).contains("2 members"));
            assertThat(text(page, "node")).startsWith("node " + holder + " ").doesNotContain(other);
        }
    }

    @Test
    @DisplayName("issue 14: on a node with a token secret the page says so and logs in with a token; sub is the user")
    void tokenLogin_userIsSub() {
        browsers = Chromium.require();
        String secret = "browser-test-secret-0123456789abcdef";
        cluster = ChatCluster.start(1, new String[] {"--auth-secret", secret});
        WebDriver page = browsers.open();
        page.get("http://127.0.0.1:" + cluster.node(0).port() + "/");
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(page, "mode")).contains("requires a token"));

        // without a token the page does not even try
        page.findElement(By.id("connect")).click();
        assertThat(text(page, "status")).isEqualTo("this node needs a token");
        // a forged token is refused by the node, and the page says so instead of retrying
        page.findElement(By.id("token")).sendKeys(Jwts.valid("not-the-secret-0123456789abcdefghij", "erin", null));
        page.findElement(By.id("connect")).click();
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(page, "status")).startsWith("refused:"));
        assertThat(cluster.node(0).cluster().registry().sessionsOfUser("erin")).isEmpty();

        page.findElement(By.id("token")).clear();
        page.findElement(By.id("token")).sendKeys(Jwts.valid(secret, "erin", null));
        page.findElement(By.id("connect")).click();
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(page, "status")).isEqualTo("connected as erin"));
        page.findElement(By.id("join")).click();
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(page, "members")).contains("erin (you)"));
        assertThat(cluster.node(0).cluster().registry().sessionsOfUser("erin")).hasSize(1);
    }

    /** Keeps a picture of the page in target/ for a person to look at. */
    private static void screenshot(WebDriver driver, String name) {
        try {
            byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
            Files.write(Path.of("target", name), png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static WebDriver open(WebDriver driver, int port, String user) {
        driver.get("http://127.0.0.1:" + port + "/");
        driver.findElement(By.id("user")).clear();
        driver.findElement(By.id("user")).sendKeys(user);
        driver.findElement(By.id("connect")).click();
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(driver, "status")).isEqualTo("connected as " + user));
        driver.findElement(By.id("join")).click(); // the room field starts as "lobby"
        await().atMost(WAIT).untilAsserted(() -> assertThat(driver.findElements(By.cssSelector("#rooms li[data-room='lobby']")))
                .as("the page's log: %s", text(driver, "log")).hasSize(1));
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(driver, "node")).startsWith("node ").doesNotContain("?"));
        return driver;
    }

    private static void type(WebDriver driver, String message) {
        driver.findElement(By.id("message")).sendKeys(message);
        driver.findElement(By.id("send")).click();
    }

    private static String text(WebDriver driver, String id) {
        return driver.findElement(By.id(id)).getText();
    }
}
