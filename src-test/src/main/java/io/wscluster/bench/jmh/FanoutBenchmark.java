package io.wscluster.bench.jmh;

import io.wscluster.CloseCode;
import io.wscluster.Delivery;
import io.wscluster.Message;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Local fan-out on one node, through the public API: {@code Messenger.send(Target.room)} of a
 * one-member {@code HazelcastCluster} whose room has all its members on this node, with a
 * LocalDelivery that only walks the sessions it is handed. That is the routing lookup in the node's
 * copy of the routing table, the resolution of the room's local sessions (what the core hands to
 * the server's LocalDelivery) and the walk. Per-session socket writes are not in here (the load
 * generator measures those); this is the cluster core's own share of a fan-out. (Until 0.1.0 this
 * class called the core's {@code LocalSessions.resolve} directly, without the routing lookup.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseSerialGC", "-Dhazelcast.logging.type=none",
        "-Dhazelcast.phone.home.enabled=false",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED"})
public class FanoutBenchmark {

    /** Members of the room on this node. */
    @Param({"100", "1000", "10000"})
    public int sessions;

    private final Walker walker = new Walker();
    private HazelcastCluster cluster;
    private Target room;
    private Message message;

    /** Walks the sessions it is handed, as a LocalDelivery that writes nothing would. */
    private static final class Walker implements LocalDelivery {
        private long walked;

        @Override
        public void deliver(Collection<SessionId> targets, Message message) {
            for (SessionId id : targets) {
                walked += id.hashCode();
            }
        }

        @Override
        public void close(SessionId session, CloseCode code) {
        }
    }

    /**
     * Starts a one-member cluster on loopback and registers the sessions, all in one room.
     *
     * @throws Exception if a join does not complete
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        cluster = HazelcastCluster.builder().clusterName("jmh-fanout-" + ProcessHandle.current().pid()).port(0)
                .property("hazelcast.partition.count", "71").build();
        SessionHost host = cluster.attachServer(walker);
        for (int i = 0; i < sessions; i++) {
            SessionInfo info = host.open("/chat", "u" + i, Map.of());
            cluster.rooms().join(info.id(), "r0").toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        room = Target.room("r0");
        message = Message.text("{\"op\":\"msg\",\"room\":\"r0\",\"from\":\"u1\",\"body\":\"" + "x".repeat(100) + "\"}");
    }

    /** Stops the member. */
    @TearDown(Level.Trial)
    public void tearDown() {
        cluster.crash();
    }

    /** @return the delivery of one room send to the sessions on this node */
    @Benchmark
    public Delivery sendToLocalRoom() {
        return cluster.messenger().send(room, message).toCompletableFuture().join();
    }
}
