package io.wscluster.it.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.wscluster.examples.chat.testkit.ChatClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
     */
    public record Count(long sent, long expected, long delivered, long lost, long duplicated, long reordered, long unavailable) {
        @Override
        public String toString() {
            return "sent " + sent + ", expected " + expected + ", delivered " + delivered + ", lost " + lost + ", duplicated "
                    + duplicated + ", reordered " + reordered + ", unavailable errors " + unavailable;
        }
    }

    private static final int MAX_PER_PEER = 3_000;
    private static final Duration MAX_RUN = Duration.ofSeconds(90);

    private final String room;
    private final List<Peer> peers;
    private final List<AtomicInteger> sent = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<AtomicBoolean> peerRunning = new ArrayList<>();

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
            Thread thread = new Thread(() -> sendLoop(peer.client(), count, mine, period), "ledger-" + peer.client().user());
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    private void sendLoop(ChatClient client, AtomicInteger count, AtomicBoolean mine, Duration period) {
        long deadline = System.nanoTime() + MAX_RUN.toNanos();
        while (running.get() && mine.get() && count.get() < MAX_PER_PEER && System.nanoTime() < deadline && client.isOpen()) {
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
        for (Peer receiver : peers) {
            List<JsonNode> frames = receiver.client().received();
            unavailable += frames.stream().filter(f -> "error".equals(f.path("op").asText())
                    && "unavailable".equals(f.path("code").asText())).count();
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
            }
        }
        return new Count(sent(), expected, delivered, expected - delivered, duplicated, reordered, unavailable);
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
