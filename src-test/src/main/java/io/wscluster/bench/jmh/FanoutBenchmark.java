package io.wscluster.bench.jmh;

import io.wscluster.NodeId;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.hazelcast.internal.LocalSessions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Local fan-out on the receiving node: {@code LocalSessions.resolve(ROOM, ...)} (what the engine
 * hands to the server's LocalDelivery) and a walk over the result standing in for a LocalDelivery
 * that does nothing per session. Per-session socket writes are not in here (the load generator
 * measures those); this is the cluster core's own share of a fan-out.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseSerialGC"})
public class FanoutBenchmark {

    /** Members of the room on this node. */
    @Param({"100", "1000", "10000"})
    public int sessions;

    private LocalSessions local;

    /** Registers the sessions, all in one room. */
    @Setup
    public void setUp() {
        local = new LocalSessions();
        NodeId node = NodeId.random();
        for (int i = 0; i < sessions; i++) {
            local.add(new SessionInfo(SessionId.of(node, i + 1), "/chat", "u" + i, Set.of("r0"), Map.of(), Instant.now()));
        }
    }

    /**
     * @param bh sink
     * @return the number of sessions resolved
     */
    @Benchmark
    public int resolveAndWalk(Blackhole bh) {
        Collection<SessionId> targets = local.resolve(Target.Kind.ROOM, "r0", null);
        for (SessionId id : targets) {
            bh.consume(id);
        }
        return targets.size();
    }
}
