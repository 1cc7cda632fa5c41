package io.wscluster.hazelcast.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The members a quarantined node saw before it stalled, and whether any of them still answers.
 *
 * <p>Design notes. A node that woke from a stall and lost the others waits for Hazelcast to merge it
 * back. If no merge comes within the rejoin bound, either the others are gone (then it serves as
 * what is left) or the merge is just late: the others' side refuses merges while it migrates
 * partitions after removing this node, which on a busy machine took over ten seconds. Serving alone
 * in the second case splits the world for this node's clients (their messages reach only this node)
 * until the merge, which then closes them a second time. So before it serves alone, the node asks
 * whether any member of its last full view still accepts a TCP connection on its cluster port: if
 * one does, there is a cluster to merge with, and it waits on, up to a cap. A member that died
 * refuses the connection at once; one that is cut off times out. The probe runs on the quarantine's
 * own thread, at most once per {@link #PROBE_EVERY_NANOS}, each connection attempt bounded by
 * {@link #CONNECT_TIMEOUT_MILLIS}; it sends nothing (Hazelcast drops a connection that never speaks).
 */
final class LostPeers {

    static final int CONNECT_TIMEOUT_MILLIS = 300;
    static final long PROBE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final List<InetSocketAddress> addresses;
    private long probedAt = Long.MIN_VALUE;
    private InetSocketAddress lastAnswer;

    /** @param addresses the cluster addresses of the other members of the last full view */
    LostPeers(List<InetSocketAddress> addresses) {
        this.addresses = List.copyOf(addresses);
    }

    /**
     * Asks again if the last probe is older than {@link #PROBE_EVERY_NANOS}, else repeats its answer.
     *
     * @param now the monotonic time, ns
     * @return the first address that accepted a connection, or null if none did
     */
    InetSocketAddress answering(long now) {
        if (probedAt != Long.MIN_VALUE && now - probedAt < PROBE_EVERY_NANOS) {
            return lastAnswer;
        }
        probedAt = now;
        lastAnswer = null;
        for (InetSocketAddress address : addresses) {
            if (accepts(address)) {
                lastAnswer = address;
                break;
            }
        }
        return lastAnswer;
    }

    private static boolean accepts(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return addresses.toString();
    }
}
