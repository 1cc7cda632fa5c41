package io.wscluster.tyrus.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenBucketTest {

    @Test
    void tryAcquire_newBucket_allowsTheBurstThenRefusesUntilRefilled() {
        AtomicLong now = new AtomicLong();
        TokenBucket bucket = new TokenBucket(10, 3, now::get);

        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();

        now.addAndGet(100_000_000L); // 0.1 s at 10/s: one token
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
    }

    @Test
    void tryAcquire_afterLongIdle_neverExceedsTheBurst() {
        AtomicLong now = new AtomicLong();
        TokenBucket bucket = new TokenBucket(1000, 2, now::get);
        now.addAndGet(60_000_000_000L);

        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
    }

    @Test
    void of_withBadValues_throwsNamingTheField() {
        assertThatThrownBy(() -> TokenBucket.of(0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ratePerSecond must be > 0 but was 0.0");
        assertThatThrownBy(() -> TokenBucket.of(5, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("burst must be >= 1 but was 0");
    }
}
