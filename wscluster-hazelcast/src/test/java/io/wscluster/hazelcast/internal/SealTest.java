package io.wscluster.hazelcast.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 14: the seal of cluster messages and records. */
class SealTest {

    private static final byte[] SECRET = "0123456789abcdef-test-secret".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = "a message".getBytes(StandardCharsets.UTF_8);

    @Test
    void open_ofWhatWasSealedForTheSameBinding_returnsTheValue() {
        Seal seal = Seal.of(SECRET);
        byte[] sealed = seal.seal("wsc.n.n1", VALUE);
        assertThat(sealed).hasSize(VALUE.length + Seal.TAG_BYTES);
        assertThat(Seal.of(SECRET.clone()).open("wsc.n.n1", sealed, "n2")).isEqualTo(VALUE);
        assertThat(seal.rejected()).isZero();
    }

    @Test
    void open_ofAValueSealedElsewhereTamperedOrUnsealed_returnsNullAndCounts() {
        Seal seal = Seal.of(SECRET);
        byte[] sealed = seal.seal("wsc.n.n1", VALUE);
        byte[] tampered = sealed.clone();
        tampered[0] ^= 1;
        assertThat(seal.open("wsc.n.n2", sealed, "n2")).isNull();
        assertThat(seal.open("wsc.n.n1", tampered, "n2")).isNull();
        assertThat(seal.open("wsc.n.n1", VALUE, "n2")).isNull();
        assertThat(seal.open("wsc.n.n1", new byte[3], "n2")).isNull();
        assertThat(Seal.of("another secret of 16+ bytes".getBytes(StandardCharsets.UTF_8)).open("wsc.n.n1", sealed, "n2")).isNull();
        assertThat(seal.rejected()).isEqualTo(4);
    }

    @Test
    void off_passesValuesUnchangedAndChecksNothing() {
        assertThat(Seal.of(null)).isSameAs(Seal.OFF);
        assertThat(Seal.OFF.isOn()).isFalse();
        assertThat(Seal.OFF.seal("x", VALUE)).isSameAs(VALUE);
        assertThat(Seal.OFF.open("y", VALUE, "n1")).isSameAs(VALUE);
        assertThat(Seal.OFF.rejected()).isZero();
    }

    @Test
    void of_anEmptySecret_isRefused() {
        assertThatThrownBy(() -> Seal.of(new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clusterSecret must not be empty");
    }

    @Test
    void sealAndOpen_fromRacingThreads_agree() throws Exception {
        Seal seal = Seal.of(SECRET);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 2_000; i++) {
                        byte[] value = (thread + ":" + i).getBytes(StandardCharsets.UTF_8);
                        byte[] opened = seal.open("b" + thread, seal.seal("b" + thread, value), "n");
                        if (opened == null || !java.util.Arrays.equals(opened, value)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            start.countDown();
            for (Future<Boolean> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(seal.rejected()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }
}
