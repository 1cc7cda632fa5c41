package io.wscluster.it.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.wscluster.examples.chat.testkit.ChatClient;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * Room traffic with accounting: every peer sends sequence-numbered messages ({@code user#n}) to one
 * room, from its own thread, until stopped (bounded in count and time); afterwards the ledger counts,
 * for the pairs that must lose nothing, what each receiver got: delivered, lost, duplicated,
 * reordered. A peer whose socket closes stops sending; its error frames are counted.
 *
 * <p>It also counts silent drops, over every sender, healthy or not: a message that reached nobody
 * (the sender is a member of the room and receives its own messages) must be accounted for by an
 * error frame the sender received or, for messages after the last one that arrived anywhere, by the
 * server closing the sender's socket. Error frames name no message, so they are matched by count: a
 * run of undelivered messages followed by a delivered one needs as many error frames.
 *
 * <p>When deliveries are lost the count names them: for each (sender, receiver) pair the missing
 * sequence ranges, with the nodes of both ends and when the first and last missing message was sent,
 * in ms from the first event the test {@linkplain #mark marked} (a SIGSTOP) and as UTC wall clock, so
 * that the window can be found in the node logs.
 */
public final class TrafficLedger implements AutoCloseable {

    /** A client in the traffic and the index of the node it is connected to. */
    public record Peer(ChatClient client, int node) {
    }

    /**
     * The accounting of one run.
     *
     * @param sent        messages sent by all peers
     * @param expected    deliveries owed between pairs on healthy nodes
     * @param delivered   of those, received (once or more)
     * @param lost        expected minus delivered
     * @param duplicated  deliveries received more than once (all counted pairs)
     * @param reordered   deliveries that came after a later one of the same sender (all counted pairs)
     * @param unavailable {@code unavailable} error frames the peers received
     * @param otherErrors other error frames the peers received, by code (e.g. {@code rate_limited})
     * @param silent      messages (of any sender) that reached nobody without an error frame or a close
     *                    to account for them
     * @param losses      the lost ranges, one line per (sender, receiver) pair and range
     */
    public record Count(long sent, long expected, long delivered, long lost, long duplicated, long reordered, long unavailable,
                        Map<String, Long> otherErrors, long silent, List<String> losses) {

        private static final int SHOWN_LOSSES = 24;

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("sent " + sent + ", expected " + expected + ", delivered " + delivered + ", lost "
                    + lost + ", duplicated " + duplicated + ", reordered " + reordered + ", unavailable errors " + unavailable
                    + ", silent drops " + silent);
            if (!otherErrors.isEmpty()) {
                text.append(", other errors ").append(otherErrors);
            }
            if (!losses.isEmpty()) {
                text.append("; lost (sender -> receiver: seq range, sent at ms from the first mark/UTC):");
                losses.stream().limit(SHOWN_LOSSES).forEach(line -> text.append("\n  ").append(line));
                if (losses.size() > SHOWN_LOSSES) {
                    text.append("\n  ... and ").append(losses.size() - SHOWN_LOSSES).append(" more range(s)");
                }
            }
            return text.toString();
        }
    }

    /** An event of the test (a signal, a close) with its monotonic and wall-clock time. */
    private record Mark(String label, long nanos, Instant wall) {
    }

    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private static final int MAX_PER_PEER = 3_000;
    private static final Duration MAX_RUN = Duration.ofSeconds(90);

    private final String room;
    private final List<Peer> peers;
    private final List<AtomicInteger> sent = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<AtomicBoolean> peerRunning = new ArrayList<>();
    /** per peer, the monotonic time each message was sent, by sequence number */
    private final List<long[]> sentAt = new ArrayList<>();
    private final List<Mark> marks = new CopyOnWriteArrayList<>();

    /**
     * Starts sending: each peer one message every {@code period}.
     *
     * @param room   the room every peer has joined
     * @param peers  the peers
     * @param period the pause between two messages of one peer
     */
    public TrafficLedger(String room, List<Peer> peers, Duration period) {
        this.room = room;
        this.peers = List.copyOf(peers);
        for (Peer peer : this.peers) {
            AtomicInteger count = new AtomicInteger();
            sent.add(count);
            AtomicBoolean mine = new AtomicBoolean(true);
            peerRunning.add(mine);
            long[] times = new long[MAX_PER_PEER];
            sentAt.add(times);
            Thread thread = new Thread(() -> sendLoop(peer.client(), count, times, mine, period), "ledger-" + peer.client().user());
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    private void sendLoop(ChatClient client, AtomicInteger count, long[] times, AtomicBoolean mine, Duration period) {
        long deadline = System.nanoTime() + MAX_RUN.toNanos();
        while (running.get() && mine.get() && count.get() < MAX_PER_PEER && System.nanoTime() < deadline && client.isOpen()) {
            times[count.get()] = System.nanoTime();
            try {
                client.send("op", "send", "room", room, "body", client.user() + "#" + count.get());
            } catch (RuntimeException e) {
                return; // the socket closed under the send
            }
            count.incrementAndGet();
            try {
                new CountDownLatch(1).await(period.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** @return messages sent so far by all peers */
    public long sent() {
        return sent.stream().mapToLong(AtomicInteger::get).sum();
    }

    /**
     * Notes an event of the test (e.g. "STOP node1"); lost ranges are reported in ms from the first
     * mark.
     *
     * @param label what happened
     */
    public void mark(String label) {
        marks.add(new Mark(label, System.nanoTime(), Instant.now()));
    }

    /** @return the marks so far, each as "label +ms/HH:mm:ss.SSS" (ms from the first mark, UTC) */
    public String marks() {
        List<String> lines = new ArrayList<>();
        for (Mark m : marks) {
            lines.add(m.label() + " " + relative(m.nanos()));
        }
        return String.join(", ", lines);
    }

    /**
     * Stops the senders connected to some nodes (at once, without waiting).
     *
     * @param nodes which node indexes
     */
    public void stopPeersOn(IntPredicate nodes) {
        for (int i = 0; i < peers.size(); i++) {
            if (nodes.test(peers.get(i).node())) {
                peerRunning.get(i).set(false);
            }
        }
    }

    /**
     * Stops every sender and waits for their threads.
     *
     * @throws InterruptedException if interrupted
     */
    public void stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(15_000);
        }
    }

    /**
     * Counts the deliveries between pairs whose both ends are on nodes {@code healthy} accepts.
     *
     * @param healthy which node indexes count
     * @return the count
     */
    public Count count(IntPredicate healthy) {
        long expected = 0;
        long delivered = 0;
        long duplicated = 0;
        long reordered = 0;
        long unavailable = 0;
        Map<String, Long> otherErrors = new TreeMap<>();
        List<String> losses = new ArrayList<>();
        for (Peer receiver : peers) {
            List<JsonNode> frames = receiver.client().received();
            for (JsonNode f : frames) {
                if ("error".equals(f.path("op").asText())) {
                    String code = f.path("code").asText();
                    if ("unavailable".equals(code)) {
                        unavailable++;
                    } else {
                        otherErrors.merge(code, 1L, Long::sum);
                    }
                }
            }
            if (!healthy.test(receiver.node())) {
                continue;
            }
            for (int s = 0; s < peers.size(); s++) {
                Peer sender = peers.get(s);
                if (!healthy.test(sender.node())) {
                    continue;
                }
                int owed = sent.get(s).get();
                expected += owed;
                Set<Integer> seen = new HashSet<>();
                int highest = -1;
                for (int seq : sequence(frames, sender.client().user())) {
                    if (!seen.add(seq)) {
                        duplicated++;
                    } else if (seq < owed) {
                        delivered++;
                    }
                    if (seq < highest) {
                        reordered++;
                    }
                    highest = Math.max(highest, seq);
                }
                lostRanges(sender, receiver, sentAt.get(s), owed, seen, losses);
            }
        }
        return new Count(sent(), expected, delivered, expected - delivered, duplicated, reordered, unavailable,
                Map.copyOf(otherErrors), silentDrops(), List.copyOf(losses));
    }

    /** @return messages of every sender that reached nobody, less those an error frame or a close accounts for */
    private long silentDrops() {
        List<List<JsonNode>> frames = peers.stream().map(p -> p.client().received()).toList();
        long silent = 0;
        for (int s = 0; s < peers.size(); s++) {
            ChatClient sender = peers.get(s).client();
            int owed = sent.get(s).get();
            Set<Integer> arrived = new HashSet<>();
            for (List<JsonNode> received : frames) {
                arrived.addAll(sequence(received, sender.user()));
            }
            int lastArrived = -1;
            for (int seq = owed - 1; seq >= 0 && lastArrived < 0; seq--) {
                if (arrived.contains(seq)) {
                    lastArrived = seq;
                }
            }
            long gaps = 0;
            for (int seq = 0; seq < lastArrived; seq++) {
                if (!arrived.contains(seq)) {
                    gaps++;
                }
            }
            long errors = frames.get(s).stream().filter(f -> "error".equals(f.path("op").asText())).count();
            long trailing = owed - 1 - lastArrived;
            long uncovered = Math.max(0, gaps - errors);
            if (!sender.isClosed()) {
                uncovered += Math.max(0, trailing - Math.max(0, errors - gaps));
            }
            silent += uncovered;
        }
        return silent;
    }

    /** Adds one line per range of sequence numbers below {@code owed} that the receiver never got. */
    private void lostRanges(Peer sender, Peer receiver, long[] times, int owed, Set<Integer> seen, List<String> losses) {
        int seq = 0;
        while (seq < owed) {
            if (seen.contains(seq)) {
                seq++;
                continue;
            }
            int first = seq;
            while (seq < owed && !seen.contains(seq)) {
                seq++;
            }
            int last = seq - 1;
            losses.add(sender.client().user() + "@node" + sender.node() + " -> " + receiver.client().user() + "@node" + receiver.node()
                    + ": #" + first + (last > first ? "-#" + last + " (" + (last - first + 1) + ")" : "") + ", sent "
                    + relative(times[first]) + (last > first ? " .. " + relative(times[last]) : ""));
        }
    }

    /** @return a monotonic time as "+1234 ms/12:00:01.123": ms from the first mark and UTC wall clock ("t=..." without marks) */
    private String relative(long nanos) {
        if (marks.isEmpty()) {
            return "t=" + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
        }
        Mark first = marks.get(0);
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos - first.nanos());
        return (millis >= 0 ? "+" : "") + millis + " ms/" + UTC.format(first.wall().plusMillis(millis));
    }

    /**
     * Waits until the pairs on healthy nodes have everything owed, or the time is up.
     *
     * @param healthy which node indexes count
     * @param timeout the longest wait
     * @return the count at the end
     * @throws InterruptedException if interrupted
     */
    public Count awaitSettled(IntPredicate healthy, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Count count = count(healthy);
        while (count.lost() > 0 && System.nanoTime() < deadline) {
            new CountDownLatch(1).await(100, TimeUnit.MILLISECONDS);
            count = count(healthy);
        }
        return count;
    }

    private List<Integer> sequence(List<JsonNode> frames, String from) {
        List<Integer> seqs = new ArrayList<>();
        String prefix = from + "#";
        for (JsonNode f : frames) {
            if ("msg".equals(f.path("op").asText()) && room.equals(f.path("room").asText()) && from.equals(f.path("from").asText())) {
                String body = f.path("body").asText();
                if (body.startsWith(prefix)) {
                    seqs.add(Integer.parseInt(body.substring(prefix.length())));
                }
            }
        }
        return seqs;
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
