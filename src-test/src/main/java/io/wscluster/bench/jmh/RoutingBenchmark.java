package io.wscluster.bench.jmh;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.wscluster.CloseCode;
import io.wscluster.Delivery;
import io.wscluster.Message;
import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.spi.SessionHost;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The routing decision of a send.
 * <ul>
 * <li>{@code decideSession}: a session target: parse the id, name the owner.</li>
 * <li>{@code engineSendToRoom}: a real {@code Messenger.send(Target.room)} of a {@code HazelcastCluster} (the
 * public API over the routing core) on a two-member cluster in this JVM (loopback TCP), the room having one member on each node and a no-op LocalDelivery: the lookup in
 * the node's copy of the routing table, the local fan-out call, the encoding and the publish to the
 * other node's inbox. Two rooms, one whose interest entry's partition this member owns and one the
 * other member owns, to show whether the send touches the partition owner.</li>
 * <li>{@code engineSendToUser}: the same for a user message to a user whose one session is on the other
 * node: the router reads the user's sessions from the {@code wsc.users} IMap on every send, a
 * remote call when the other member owns that user's partition.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseSerialGC", "-Dhazelcast.logging.type=none",
        "-Dhazelcast.phone.home.enabled=false",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED"})
public class RoutingBenchmark {

    private static final LongAdder DELIVERED = new LongAdder();
    private static final LocalDelivery NO_OP = new LocalDelivery() {
        @Override
        public void deliver(Collection<SessionId> sessions, Message message) {
            DELIVERED.add(sessions.size());
        }

        @Override
        public void close(SessionId session, CloseCode code) {
        }
    };

    private String sessionId;
    private HazelcastInstance hz1;
    private HazelcastInstance hz2;
    private HazelcastCluster e1;
    private HazelcastCluster e2;
    private SessionHost h1;
    private SessionHost h2;
    private Target localRoom;
    private Target remoteRoom;
    private Target localUser;
    private Target remoteUser;
    private Message message;

    /**
     * Starts the two members and their cluster nodes and fills the rooms.
     *
     * @throws Exception if the cluster does not form
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        sessionId = SessionId.of(NodeId.random(), 12345).value();
        message = Message.text("{\"op\":\"msg\",\"room\":\"r\",\"from\":\"u1\",\"body\":\"" + "x".repeat(100) + "\"}");

        String name = "jmh-" + ProcessHandle.current().pid();
        hz1 = Hazelcast.newHazelcastInstance(config(name, 15951));
        hz2 = Hazelcast.newHazelcastInstance(config(name, 15952));
        e1 = cluster(hz1);
        e2 = cluster(hz2);
        h1 = e1.attachServer(NO_OP);
        h2 = e2.attachServer(NO_OP);
        // Pick one room whose interest key is owned by member 1 and one owned by member 2.
        String owned = null;
        String foreign = null;
        for (int i = 0; owned == null || foreign == null; i++) {
            String room = "room-" + i;
            boolean local = hz1.getPartitionService().getPartition(room).getOwner().localMember();
            if (local && owned == null) {
                owned = room;
            } else if (!local && foreign == null) {
                foreign = room;
            }
        }
        for (String room : new String[] {owned, foreign}) {
            SessionInfo a = h1.open("/chat", "a-" + room, Map.of());
            SessionInfo b = h2.open("/chat", "b-" + room, Map.of());
            e1.rooms().join(a.id(), room).toCompletableFuture().get(10, TimeUnit.SECONDS);
            e2.rooms().join(b.id(), room).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        localRoom = Target.room(owned);
        remoteRoom = Target.room(foreign);
        // Users whose only session is on the other node; the first's presence entry is on this member.
        String ownedUser = null;
        String foreignUser = null;
        for (int i = 0; ownedUser == null || foreignUser == null; i++) {
            String user = "user-" + i;
            boolean local = hz1.getPartitionService().getPartition(user).getOwner().localMember();
            if (local && ownedUser == null) {
                ownedUser = user;
            } else if (!local && foreignUser == null) {
                foreignUser = user;
            }
        }
        h2.open("/chat", ownedUser, Map.of());
        h2.open("/chat", foreignUser, Map.of());
        localUser = Target.user(ownedUser);
        remoteUser = Target.user(foreignUser);
    }

    private static HazelcastCluster cluster(HazelcastInstance hz) {
        return HazelcastCluster.builder().hazelcastInstance(hz)
                .requestTimeout(Duration.ofSeconds(5)).failureTimeout(Duration.ofSeconds(10)).build();
    }

    private static Config config(String name, int port) {
        Config c = new Config();
        c.setClusterName(name);
        c.setProperty("hazelcast.partition.count", "71");
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = c.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:15951").addMember("127.0.0.1:15952");
        return c;
    }

    /** Stops both cluster nodes (without deregistering, as before) and members. */
    @TearDown(Level.Trial)
    public void tearDown() {
        e1.crash();
        e2.crash();
        hz1.getLifecycleService().terminate();
        hz2.getLifecycleService().terminate();
    }

    /** @return the owner node of a session target */
    @Benchmark
    public NodeId decideSession() {
        return new SessionId(sessionId).node();
    }

    /** @return the delivery of a room send whose interest entry is on this member */
    @Benchmark
    public Delivery engineSendToRoomOwnedHere() {
        return e1.messenger().send(localRoom, message).toCompletableFuture().join();
    }

    /** @return the delivery of a room send whose interest entry is on the other member */
    @Benchmark
    public Delivery engineSendToRoomOwnedThere() {
        return e1.messenger().send(remoteRoom, message).toCompletableFuture().join();
    }

    /** @return a direct message to a user on the other node whose presence entry this member owns */
    @Benchmark
    public Delivery engineSendToUserOwnedHere() {
        return e1.messenger().send(localUser, message).toCompletableFuture().join();
    }

    /** @return a direct message to a user on the other node whose presence entry the other member owns */
    @Benchmark
    public Delivery engineSendToUserOwnedThere() {
        return e1.messenger().send(remoteUser, message).toCompletableFuture().join();
    }
}
