package io.wscluster.bench.jmh;

import io.wscluster.Message;
import io.wscluster.NodeId;
import io.wscluster.Target;
import io.wscluster.hazelcast.internal.Envelope;
import io.wscluster.hazelcast.internal.RoutingEntry;
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

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Encoding and decoding of what crosses between nodes (io.wscluster.hazelcast.internal: Envelope, RoutingEntry): the
 * DELIVER envelope of a room message (one per interested node per publish) and a room's interest
 * entry (written on every join and leave, decoded by every node's copy of the routing table). The message is a chat {@code msg} frame with a 100-byte body.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m", "-XX:+UseSerialGC"})
public class WireBenchmark {

    /** Body length of the chat message in bytes. */
    @Param({"100", "4000"})
    public int body;

    private Target target;
    private Message message;
    private byte[] envelope;
    private RoutingEntry interest;
    private byte[] interestBytes;

    /** Builds the message and the encoded forms. */
    @Setup
    public void setUp() {
        target = Target.room("room-42");
        message = Message.text("{\"op\":\"msg\",\"room\":\"room-42\",\"from\":\"user-17\",\"body\":\"" + "x".repeat(body) + "\"}");
        envelope = Envelope.encodeDeliver(0, null, target, message);
        Map<NodeId, Integer> counts = new HashMap<>();
        counts.put(NodeId.random(), 500);
        counts.put(NodeId.random(), 500);
        interest = new RoutingEntry(7, counts);
        interestBytes = interest.encode();
    }

    /** @return the DELIVER envelope of one room message */
    @Benchmark
    public byte[] encodeDeliver() {
        return Envelope.encodeDeliver(0, null, target, message);
    }

    /** @return the decoded envelope, as the receiving node's inbound thread does */
    @Benchmark
    public Envelope decodeDeliver() {
        return Envelope.decode(envelope);
    }

    /** @return a room's interest entry on two nodes, encoded as every join or leave writes it */
    @Benchmark
    public byte[] encodeInterest() {
        return interest.encode();
    }

    /** @return the entry decoded, as every node's routing-table copy does on each change */
    @Benchmark
    public RoutingEntry decodeInterest() {
        return RoutingEntry.decode(interestBytes);
    }
}
