package io.wscluster.hazelcast.internal;

import io.wscluster.Message;
import io.wscluster.NodeId;
import io.wscluster.Target;
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
 * Encoding and decoding of what crosses between nodes ({@link Envelope}, {@link RoutingEntry}): the
 * DELIVER envelope of a room message (one per interested node per publish) and a room's routing
 * entry (written on every join and leave, decoded by every node's copy of the routing table). The
 * message is a chat {@code msg} frame with a 100-byte or 4,000-byte body. {@code sealDeliver} and
 * {@code openDeliver} measure what a cluster secret adds per message ({@link Seal}).
 *
 * <p>A test-scoped microbenchmark: it measures package-private codecs, so it lives beside them in
 * this module's tests rather than in src-test, whose benchmarks use the public API only. Surefire
 * does not run it. To run it, put the module's test classes, its classes, wscluster-api and
 * jmh-core (with jopt-simple and commons-math3) on a class path, for instance:
 * <pre>
 * mvn -B -o -q -pl wscluster-hazelcast -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test
 * java -cp "wscluster-hazelcast/target/test-classes:wscluster-hazelcast/target/classes:$(cat wscluster-hazelcast/target/test.classpath)" \
 *     org.openjdk.jmh.Main WireBenchmark
 * </pre>
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
    private Seal seal;
    private byte[] sealedEnvelope;

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
        seal = Seal.of("benchmark-cluster-secret-0123456789".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        sealedEnvelope = seal.seal(NodeLink.INBOX_PREFIX + "n1", envelope);
    }

    /** @return the DELIVER envelope sealed for a node's inbox, as a sender with a cluster secret does (issue 14) */
    @Benchmark
    public byte[] sealDeliver() {
        return seal.seal(NodeLink.INBOX_PREFIX + "n1", envelope);
    }

    /** @return the sealed envelope verified, as the receiving node's inbound thread does before decoding */
    @Benchmark
    public byte[] openDeliver() {
        return seal.open(NodeLink.INBOX_PREFIX + "n1", sealedEnvelope, "n1");
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
