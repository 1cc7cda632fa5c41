package io.wscluster.hazelcast.internal;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The probe a quarantined member runs before it serves as what is left: real sockets on loopback. */
class LostPeersTest {

    private static InetSocketAddress closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }
    }

    @Test
    void aMemberThatStillListens_answers_aClosedPortDoesNot() throws Exception {
        InetSocketAddress gone = closedPort();
        try (ServerSocket alive = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), alive.getLocalPort());
            assertThat(new LostPeers(List.of(gone, address)).answering(System.nanoTime())).isEqualTo(address);
        }
        assertThat(new LostPeers(List.of(gone)).answering(System.nanoTime())).isNull();
    }

    @Test
    void probesAtMostOncePerSecond_thenAsksAgain() throws Exception {
        ServerSocket alive = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), alive.getLocalPort());
        LostPeers peers = new LostPeers(List.of(address));
        long now = System.nanoTime();
        assertThat(peers.answering(now)).isEqualTo(address);
        alive.close();
        assertThat(peers.answering(now + LostPeers.PROBE_EVERY_NANOS - 1)).as("within a second: the last answer").isEqualTo(address);
        assertThat(peers.answering(now + LostPeers.PROBE_EVERY_NANOS)).as("a second later: asked again").isNull();
    }

    @Test
    void nobodyToAsk_neverAnswers() {
        LostPeers none = new LostPeers(List.of());
        assertThat(none.answering(System.nanoTime())).isNull();
    }
}
