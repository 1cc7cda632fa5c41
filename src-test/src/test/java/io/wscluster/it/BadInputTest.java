package io.wscluster.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.it.harness.ChatNodes;
import io.wscluster.it.harness.NodeLogs;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * More than 10,000 malformed frames from several clients: each bad client gets the documented error
 * or close, the node stays up, and the well-behaved clients stay connected and receive exactly what
 * they should.
 */
class BadInputTest {

    @RegisterExtension
    static final NodeLogs LOGS = new NodeLogs();
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int FUZZERS = 5;
    private static final int FRAMES_PER_FUZZER = 2_100;
    private static final String GOOD_ROOM = "good";

    /** One malformed text frame; every one of them must be answered with error bad_request. */
    static String malformed(Random random) {
        String word = Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
        switch (random.nextInt(12)) {
            case 0: {
                StringBuilder junk = new StringBuilder();
                int length = 1 + random.nextInt(200);
                for (int i = 0; i < length; i++) {
                    junk.append((char) (32 + random.nextInt(95)));
                }
                return junk.charAt(0) == '{' ? "x" + junk : junk.toString();
            }
            case 1: {
                String valid = "{\"op\":\"send\",\"room\":\"" + GOOD_ROOM + "\",\"body\":\"" + word + "\"}";
                return valid.substring(0, 1 + random.nextInt(valid.length() - 2));
            }
            case 2:
                return "{\"op\":\"" + word + "x\",\"room\":\"r\"}";
            case 3:
                return "{\"op\":\"join\",\"room\":\"" + word + " " + word + "\"}";
            case 4:
                return "{\"op\":\"join\",\"room\":\"" + "r".repeat(129 + random.nextInt(20_000)) + "\"}";
            case 5:
                return "{\"op\":\"send\",\"room\":\"" + GOOD_ROOM + "\",\"body\":" + List.of("1", "{}", "[]", "null", "true").get(random.nextInt(5)) + "}";
            case 6:
                return "{\"op\":\"direct\",\"to\":\"" + word + "\u00e9\",\"body\":\"x\"}";
            case 7:
                return "{\"room\":\"" + GOOD_ROOM + "\",\"body\":\"no op\"}";
            case 8:
                return "[".repeat(2_000 + random.nextInt(3_000));
            case 9:
                return "{\"op\":\"who\",\"room\":" + random.nextInt() + "}";
            case 10:
                return "{\"op\":\"send\",\"room\":\"" + GOOD_ROOM + "\"}";
            default:
                return "\"" + word + "\"";
        }
    }

    @Test
    void tenThousandMalformedFrames_eachAnswered_nodeUp_goodClientsUntouched() throws Exception {
        try (ChatNodes nodes = ChatNodes.start(2, LOGS.dir("fuzz"))) {
            List<ChatClient> good = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ChatClient client = ChatClient.handshake(nodes.get(i % 2).chatUri("good" + i), "good" + i);
                client.send("op", "join", "room", GOOD_ROOM);
                client.nextOp("joined", WAIT);
                good.add(client);
            }

            ExecutorService pool = Executors.newFixedThreadPool(FUZZERS);
            List<Future<Integer>> results = new ArrayList<>();
            for (int f = 0; f < FUZZERS; f++) {
                int seed = f;
                results.add(pool.submit(() -> fuzzTextFrames(nodes, seed)));
            }
            // well-behaved traffic while the fuzzers run
            int goodMessages = 200;
            for (int i = 0; i < goodMessages; i++) {
                good.get(i % 4).send("op", "send", "room", GOOD_ROOM, "body", "g" + i);
            }
            int fuzzed = 0;
            for (Future<Integer> result : results) {
                fuzzed += result.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();
            int closes = closingCases(nodes);

            for (ChatClient client : good) {
                List<String> bodies = new ArrayList<>();
                for (int i = 0; i < goodMessages; i++) {
                    JsonNode msg = client.next(WAIT);
                    assertThat(msg.path("op").asText()).as("%s got %s", client.user(), msg).isEqualTo("msg");
                    assertThat(msg.path("from").asText()).startsWith("good");
                    bodies.add(msg.path("body").asText());
                }
                assertThat(bodies).hasSize(goodMessages).doesNotHaveDuplicates();
                assertThat(client.isClosed()).isFalse();
                client.send("op", "who", "room", GOOD_ROOM);
                assertThat(client.nextOp("members", WAIT).path("users")).hasSize(4);
                assertThat(client.drain()).isEmpty();
            }
            for (int i = 0; i < 2; i++) {
                assertThat(nodes.get(i).isAlive()).isTrue();
                assertThat(nodes.get(i).health().path("_status").asInt()).isEqualTo(200);
            }
            assertThat(fuzzed).isGreaterThanOrEqualTo(10_000);
            System.out.printf("bad input: %d malformed text frames answered bad_request, %d closing cases closed as documented%n",
                    fuzzed, closes);
            good.forEach(ChatClient::close);
        }
    }

    /** Sends malformed frames on one connection; every one must be answered error/bad_request. */
    private static int fuzzTextFrames(ChatNodes nodes, int seed) {
        Random random = new Random(seed);
        String user = "fuzz" + seed;
        try (ChatClient client = ChatClient.handshake(nodes.get(seed % 2).chatUri(user), user)) {
            for (int i = 0; i < FRAMES_PER_FUZZER; i++) {
                String frame = malformed(random);
                client.sendText(frame);
                JsonNode answer = client.next(WAIT);
                assertThat(answer.path("op").asText()).as("answer to %.120s", frame).isEqualTo("error");
                assertThat(answer.path("code").asText()).as("answer to %.120s", frame).isEqualTo("bad_request");
                assertThat(answer.path("reason").asText()).isNotBlank();
            }
            assertThat(client.isClosed()).isFalse();
        }
        return FRAMES_PER_FUZZER;
    }

    /** Binary, oversized, invalid UTF-8 and broken framing: each closes only the offending connection. */
    private static int closingCases(ChatNodes nodes) throws Exception {
        Random random = new Random(42);
        int cases = 0;
        for (int i = 0; i < 20; i++) {
            int port = nodes.get(i % 2).port();
            byte[] junk = new byte[1 + random.nextInt(2_000)];
            random.nextBytes(junk);
            try (RawWebSocket raw = RawWebSocket.connect(port, "/chat?user=bin" + i)) {
                raw.sendFrame(true, RawWebSocket.BINARY, junk);
                assertThat(raw.awaitClose().code()).isIn(1003, 1009);
            }
            try (RawWebSocket raw = RawWebSocket.connect(port, "/chat?user=big" + i)) {
                raw.sendFrame(true, RawWebSocket.TEXT, "{\"op\":\"who\",\"room\":\"".concat("r".repeat(70_000)).concat("\"}").getBytes(StandardCharsets.UTF_8));
                assertThat(raw.awaitClose().code()).isEqualTo(1009);
            }
            try (RawWebSocket raw = RawWebSocket.connect(port, "/chat?user=utf" + i)) {
                byte[] invalid = new byte[] {'"', (byte) (0x80 + random.nextInt(0x40)), '"'};
                raw.sendFrame(true, RawWebSocket.TEXT, invalid);
                assertThat(raw.awaitClose().code()).isEqualTo(1007);
            }
            try (RawWebSocket raw = RawWebSocket.connect(port, "/chat?user=raw" + i)) {
                raw.sendFrame(true, 0x3 + random.nextInt(5), junk);
                int code = raw.awaitClose().code();
                assertThat(code).as("reserved opcode").isIn(-1, 1002);
            }
            cases += 4;
        }
        return cases;
    }
}
