package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.CloseCode;
import io.wscluster.Message;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.spi.SessionHost;
import io.wscluster.testkit.InMemoryCluster;
import io.wscluster.testkit.InMemoryNetwork;
import org.glassfish.tyrus.core.cluster.RemoteSession.DistributedMapKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The context's bookkeeping of local sessions in server mode, driven as Tyrus drives it, on a
 * one-node in-memory cluster with a {@link SessionHost} that counts the calls.
 */
class TyrusClusterAdapterTest {

    /** The pending timeout (2 s) bounds the time between a create() and the checks or open() after it. */
    private static final TyrusClusterAdapter.Timings FAST = new TyrusClusterAdapter.Timings(Duration.ofSeconds(2),
            Duration.ofMillis(300), Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofSeconds(60), Duration.ofMillis(50));

    private static InMemoryCluster cluster;
    private static CountingHost host;
    private TyrusClusterAdapter core;

    @BeforeAll
    static void startMember() {
        cluster = new InMemoryNetwork().newNode();
        host = new CountingHost(cluster.attachServer(new LocalDelivery() {
            @Override
            public void deliver(Collection<SessionId> sessions, Message message) {
            }

            @Override
            public void close(SessionId session, CloseCode code) {
            }
        }));
    }

    @AfterAll
    static void stopMember() {
        if (cluster != null) {
            cluster.crash();
        }
    }

    @BeforeEach
    void bind() {
        core = new TyrusClusterAdapter(TyrusClusterAdapter.Mode.SERVER, FAST);
        core.bind(cluster, host);
        host.reset();
    }

    /** What Tyrus's TyrusSession constructor does. */
    private String create(String connectionId) {
        String id = core.createSessionId();
        Map<DistributedMapKey, Object> properties = core.getDistributedSessionProperties(id);
        properties.put(DistributedMapKey.QUERY_STRING, "a=1");
        properties.put(DistributedMapKey.SECURE, false);
        properties.put(DistributedMapKey.CONNECTION_ID, connectionId);
        core.getDistributedUserProperties(connectionId);
        core.registerSession(id, "/p", null);
        return id;
    }

    @Test
    void sessionTyrusCreatedButNeverAdmitted_isNeverRegisteredAndIsDroppedAfterThePendingTimeout() {
        String id = create(core.createConnectionId());

        assertThat(core.localEntries()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> core.localEntries() == 0);
        assertThat(host.opens.get()).isZero();
        assertThat(cluster.registry().session(SessionId.parse(id))).isEmpty();
        assertThatThrownBy(() -> core.open(id, null, null)).isInstanceOf(IllegalStateException.class)
                .hasMessage("Tyrus session '" + id + "' is not known to this node's TyrusClusterContext");
    }

    @Test
    void admittedSession_isRegisteredWithItsPropertiesAndDeregisteredExactlyOnce() {
        String id = create(core.createConnectionId());

        SessionInfo info = core.open(id, "alice", null);

        assertThat(info.attributes()).containsEntry("tyrus.queryString", "a=1").containsEntry("tyrus.secure", "false");
        assertThat(cluster.registry().session(info.id())).hasValueSatisfying(s -> {
            assertThat(s.user()).contains("alice");
            assertThat(s.rooms()).containsExactly(TyrusClusterAdapter.pathRoom("/p"));
        });
        assertThat(core.isSessionOpen(id, "/p")).isTrue();

        core.closed(id);             // the server's close
        core.closed(id);             // Tyrus's removeSession
        assertThat(host.closes.get()).isEqualTo(1);
        assertThat(cluster.registry().session(info.id())).isEmpty();
        assertThat(core.isSessionOpen(id, "/p")).isFalse();
    }

    @Test
    void propertyChangedAfterRegistration_isWrittenThroughOnlyWhenItsEncodingChanges() {
        String id = create(core.createConnectionId());
        core.open(id, null, null);
        Map<DistributedMapKey, Object> properties = core.getDistributedSessionProperties(id);

        properties.put(DistributedMapKey.MAX_IDLE_TIMEOUT, 5_000L);
        properties.put(DistributedMapKey.MAX_IDLE_TIMEOUT, 5_000L);

        assertThat(host.updates.get()).isEqualTo(1);
        assertThat(cluster.registry().session(SessionId.parse(id)).orElseThrow().attributes())
                .containsEntry("tyrus.maxIdleTimeout", "5000");
        core.closed(id);
        properties.put(DistributedMapKey.MAX_IDLE_TIMEOUT, 6_000L);
        assertThat(host.updates.get()).isEqualTo(1);
    }

    @Test
    void connectionIdThisNodeDidNotMint_getsPrivateUserPropertiesAndIsNotPublished() {
        String minted = core.createConnectionId();
        String owner = create(minted);
        Map<String, Object> ownerProperties = core.getDistributedUserProperties(minted);
        ownerProperties.put("secret", "s3");

        String claimId = core.createSessionId();
        core.getDistributedSessionProperties(claimId).put(DistributedMapKey.CONNECTION_ID, minted);
        Map<String, Object> claimed = core.getDistributedUserProperties(minted);
        core.registerSession(claimId, "/p", null);
        SessionInfo claim = core.open(claimId, null, null);

        assertThat(claimed).isEmpty();
        assertThat(claimed).isNotSameAs(ownerProperties);
        assertThat(claim.attributes().get("tyrus.connectionId")).isNotEqualTo(minted).matches("[0-9a-f]{32}");
        assertThat(core.open(owner, null, null).attributes()).containsEntry("tyrus.connectionId", minted);
        core.closed(owner);
        assertThat(core.getDistributedUserProperties(minted)).isEmpty();
        core.closed(claimId);
    }

    @Test
    void unboundOrShutDownContext_refusesWorkWithMessagesThatSayWhy() throws Exception {
        TyrusClusterAdapter unbound = new TyrusClusterAdapter(TyrusClusterAdapter.Mode.SERVER, FAST);
        assertThatThrownBy(unbound::createSessionId).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("TyrusClusterContext is not bound to a node yet");

        String id = create(core.createConnectionId());
        core.open(id, null, null);
        core.shutdown();

        assertThat(host.closes.get()).isEqualTo(1);
        assertThatThrownBy(core::createSessionId).isInstanceOf(IllegalStateException.class)
                .hasMessage("TyrusClusterContext of node '" + cluster.localNode() + "' is shut down");
        assertThat(core.isSessionOpen(id, "/p")).isFalse();
        assertThatThrownBy(() -> core.send(id, Message.text("x")).get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
        assertThatThrownBy(() -> core.bind(cluster, host)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already bound");
    }

    /** Counts the calls a core makes on the node's session host. */
    private static final class CountingHost implements SessionHost {
        final SessionHost delegate;
        final AtomicInteger opens = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger updates = new AtomicInteger();

        CountingHost(SessionHost delegate) {
            this.delegate = delegate;
        }

        void reset() {
            opens.set(0);
            closes.set(0);
            updates.set(0);
        }

        @Override
        public SessionInfo open(String path, String user, Map<String, String> attributes) {
            opens.incrementAndGet();
            return delegate.open(path, user, attributes);
        }

        @Override
        public SessionId newId() {
            return delegate.newId();
        }

        @Override
        public SessionInfo open(SessionId id, String path, String user, Map<String, String> attributes) {
            opens.incrementAndGet();
            return delegate.open(id, path, user, attributes);
        }

        @Override
        public boolean updateAttributes(SessionId session, Map<String, String> attributes) {
            updates.incrementAndGet();
            return delegate.updateAttributes(session, attributes);
        }

        @Override
        public boolean closed(SessionId session) {
            closes.incrementAndGet();
            return delegate.closed(session);
        }

        @Override
        public int openCount() {
            return delegate.openCount();
        }
    }
}
