package io.wscluster.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wscluster.it.harness.ChatNodes;
import io.wscluster.it.harness.NodeLogs;
import io.wscluster.it.harness.WholeTextListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 2,000 connections across 3 nodes in 100 rooms, chatting for a while: zero loss, zero duplicates,
 * per-sender order kept at every receiver. The default run chats for 20 s; the {@code soak} profile
 * ({@code mvn -B verify -Psoak}) makes it the full minute.
 */
@Isolated("2,000 connections on three nodes: a load measurement, alone on the machine")
class LoadTest {

    @RegisterExtension
    static final NodeLogs LOGS = new NodeLogs();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONNECTIONS = 2_000;
    private static final int ROOMS = 100;
    private static final int SENDERS_PER_ROOM = 2;
    private static final Duration SEND_INTERVAL = Duration.ofMillis(500);
    private static final int CONNECTS_IN_FLIGHT = 64;

    /** A receiving connection that checks every sender's sequence as frames arrive. */
    private static final class Receiver extends WholeTextListener {
        final String user;
        final String room;
        final CompletableFuture<Void> joined = new CompletableFuture<>();
        final Map<String, Long> lastSeq = new ConcurrentHashMap<>();
        final AtomicLong received = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        WebSocket socket;

        Receiver(String user, String room) {
            this.user = user;
            this.room = room;
        }

        @Override
        protected void onMessage(WebSocket webSocket, String text) {
            try {
                JsonNode frame = JSON.readTree(text);
                switch (frame.path("op").asText()) {
                    case "joined" -> joined.complete(null);
                    case "msg" -> check(frame);
                    default -> errors.incrementAndGet();
                }
            } catch (Exception e) {
                errors.incrementAndGet();
            }
        }

        private void check(JsonNode msg) {
            received.incrementAndGet();
            String from = msg.path("from").asText();
            long seq = Long.parseLong(msg.path("body").asText());
            Long previous = lastSeq.put(from, seq);
            long expected = previous == null ? 0 : previous + 1;
            if (seq < expected) {
                duplicates.incrementAndGet();
            } else if (seq > expected) {
                gaps.incrementAndGet();
            }
        }
    }

    @Test
    void twoThousandConnections_hundredRooms_noLossNoDuplicatesOrderKept() throws Exception {
        Duration chat = Duration.ofSeconds(Long.getLong("wscluster.load.seconds", 20));
        try (ChatNodes nodes = ChatNodes.start(3, LOGS.dir("load"))) {
            HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
            List<Receiver> receivers = new ArrayList<>();
            long connectStart = System.nanoTime();
            // connect and join with up to CONNECTS_IN_FLIGHT handshakes at a time, not one by one
            Semaphore inFlight = new Semaphore(CONNECTS_IN_FLIGHT);
            List<CompletableFuture<?>> joins = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                Receiver r = new Receiver("u" + i, "room" + (i % ROOMS));
                receivers.add(r);
                assertThat(inFlight.tryAcquire(30, TimeUnit.SECONDS)).as("a connect slot within 30 s").isTrue();
                joins.add(http.newWebSocketBuilder().buildAsync(nodes.get(i % 3).chatUri(r.user), r)
                        .thenCompose(socket -> {
                            r.socket = socket;
                            return socket.sendText("{\"op\":\"join\",\"room\":\"" + r.room + "\"}", true);
                        })
                        .thenCompose(sent -> r.joined)
                        .whenComplete((ok, failure) -> inFlight.release()));
            }
            CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            long connectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStart);

            // the first SENDERS_PER_ROOM members of each room send numbered messages at a steady pace
            List<Receiver> senders = new ArrayList<>();
            for (int i = 0; i < ROOMS * SENDERS_PER_ROOM; i++) {
                senders.add(receivers.get(i));
            }
            Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
            ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
            long end = System.nanoTime() + chat.toNanos();
            for (Receiver sender : senders) {
                AtomicLong seq = sent.computeIfAbsent(sender.user, u -> new AtomicLong());
                long offset = Math.abs(sender.user.hashCode()) % SEND_INTERVAL.toMillis();
                clock.scheduleAtFixedRate(() -> {
                    if (System.nanoTime() < end) {
                        long n = seq.getAndIncrement();
                        sender.socket.sendText("{\"op\":\"send\",\"room\":\"" + sender.room + "\",\"body\":\"" + n + "\"}", true).join();
                    }
                }, offset, SEND_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            }
            await().atMost(chat.plusSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> System.nanoTime() > end);
            clock.shutdown();
            assertThat(clock.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

            long expected = 0;
            Map<String, Long> perRoom = new ConcurrentHashMap<>();
            for (Receiver sender : senders) {
                perRoom.merge(sender.room, sent.get(sender.user).get(), Long::sum);
            }
            for (Receiver r : receivers) {
                expected += perRoom.getOrDefault(r.room, 0L);
            }
            long want = expected;
            await().atMost(Duration.ofSeconds(30)).until(() -> receivers.stream().mapToLong(r -> r.received.get()).sum() >= want);
            long received = receivers.stream().mapToLong(r -> r.received.get()).sum();
            long duplicates = receivers.stream().mapToLong(r -> r.duplicates.get()).sum();
            long gaps = receivers.stream().mapToLong(r -> r.gaps.get()).sum();
            long errors = receivers.stream().mapToLong(r -> r.errors.get()).sum();
            for (Receiver r : receivers) {
                for (Receiver sender : senders) {
                    if (sender.room.equals(r.room)) {
                        assertThat(r.lastSeq.get(sender.user)).as("%s saw the last message of %s", r.user, sender.user)
                                .isEqualTo(sent.get(sender.user).get() - 1);
                    }
                }
            }
            System.out.printf("load: %d connections on 3 nodes in %d ms, %d rooms, %d s of chat: sent %d, expected %d deliveries, "
                            + "received %d, lost %d, duplicated %d, reordered %d, errors %d%n",
                    CONNECTIONS, connectMillis, ROOMS, chat.toSeconds(), sent.values().stream().mapToLong(AtomicLong::get).sum(),
                    expected, received, expected - received, duplicates, gaps, errors);
            assertThat(received).isEqualTo(expected);
            assertThat(duplicates).isZero();
            assertThat(gaps).isZero();
            assertThat(errors).isZero();
            for (Receiver r : receivers) {
                r.socket.abort();
            }
        }
    }
}
