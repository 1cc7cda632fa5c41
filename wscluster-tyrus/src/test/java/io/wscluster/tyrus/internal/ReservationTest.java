package io.wscluster.tyrus.internal;

import io.wscluster.Message;
import io.wscluster.SessionId;
import io.wscluster.testkit.InMemoryCluster;
import io.wscluster.testkit.InMemoryNetwork;
import io.wscluster.tyrus.AdmissionSettings;
import io.wscluster.tyrus.Authenticator;
import io.wscluster.tyrus.InboundSettings;
import io.wscluster.tyrus.OutboundSettings;
import io.wscluster.tyrus.ServerStatus;
import io.wscluster.tyrus.RoomResolver;
import io.wscluster.tyrus.UserResolver;
import io.wscluster.tyrus.WsServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A session registered during its handshake whose socket never opens (the upgrade failed after the
 * handshake check, or the client vanished) is deregistered once the reservation times out, and what
 * was queued for it is dropped and counted.
 */
class ReservationTest {

    @Test
    void reserve_neverClaimed_isDeregisteredAfterTheTimeout() {
        InMemoryCluster cluster = new InMemoryNetwork().newNode();
        Settings settings = new Settings("127.0.0.1", 0, cluster, true, Authenticator.ALLOW_ALL, null, UserResolver.anonymous(),
                RoomResolver.none(), AdmissionSettings.ofDefaults(), InboundSettings.ofDefaults(), OutboundSettings.ofDefaults(),
                s -> { }, WsServer.DEFAULT_DRAIN_TIMEOUT);
        // the checks right after reserve() must run before the reservation times out: 2 s leaves room for a
        // descheduled test thread on a loaded machine
        ServerRuntime runtime = new ServerRuntime(settings, SessionRegistrar.plain(), Duration.ofSeconds(2));
        try {
            runtime.attach();
            runtime.status(ServerStatus.RUNNING);
            EndpointSpec spec = new EndpointSpec("/chat", true, "", Set.of(), () -> null);

            SessionId id = runtime.reserve(spec, "ghost", List.of());
            assertThat(id).isNotNull();
            assertThat(cluster.registry().isOnline("ghost")).isTrue();
            runtime.deliver(List.of(id), Message.text("held until the socket opens"));
            assertThat(runtime.stats().queuedMessages()).isEqualTo(1);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(cluster.registry().isOnline("ghost")).isFalse();
                assertThat(cluster.registry().session(id)).isEmpty();
            });
            assertThat(runtime.stats().queuedMessages()).isZero();
            assertThat(runtime.stats().droppedMessages()).isEqualTo(1);
        } finally {
            runtime.shutdownExecutor();
            cluster.close();
        }
    }
}
