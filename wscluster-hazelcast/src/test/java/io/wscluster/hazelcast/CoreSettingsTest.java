package io.wscluster.hazelcast;

import io.wscluster.hazelcast.internal.ClusterSettings;
import io.wscluster.hazelcast.internal.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The core's settings as the builder makes them: the timeouts set on it, the defaults, the grace
 * of empty rooms from its system property (read when the settings are made), and the checks.
 */
@Isolated("sets a wscluster.* system property that every cluster built meanwhile would read")
class CoreSettingsTest {

    @Test
    void builderSettings_byDefault_carryTheTimeoutsAndTheDefaults() {
        ClusterSettings settings = HazelcastCluster.builder().failureTimeout(Duration.ofSeconds(4))
                .requestTimeout(Duration.ofSeconds(3)).settings();

        assertThat(settings.failureTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.emptyRoomGrace()).isEqualTo(ClusterSettings.DEFAULT_EMPTY_ROOM_GRACE);
        assertThat(settings.emptyRoomSweepPeriod()).isEqualTo(Duration.ofMinutes(5).dividedBy(2));
        assertThat(settings.leaseTtl()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.leaseRenewPeriod()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.ticker()).isSameAs(Ticker.system());
    }

    @Test
    void builderSettings_withTheGraceProperty_takeItsMilliseconds() {
        System.setProperty(ClusterSettings.EMPTY_ROOM_GRACE_PROPERTY, "1000");
        try {
            ClusterSettings settings = HazelcastCluster.builder().settings();
            assertThat(settings.emptyRoomGrace()).isEqualTo(Duration.ofSeconds(1));
            assertThat(settings.emptyRoomSweepPeriod()).isEqualTo(Duration.ofMillis(500));
        } finally {
            System.clearProperty(ClusterSettings.EMPTY_ROOM_GRACE_PROPERTY);
        }
    }

    @Test
    void builderSettings_withAnUnusableGraceProperty_keepTheDefault() {
        System.setProperty(ClusterSettings.EMPTY_ROOM_GRACE_PROPERTY, "soon");
        try {
            assertThat(HazelcastCluster.builder().settings().emptyRoomGrace()).isEqualTo(ClusterSettings.DEFAULT_EMPTY_ROOM_GRACE);
        } finally {
            System.clearProperty(ClusterSettings.EMPTY_ROOM_GRACE_PROPERTY);
        }
    }

    @Test
    void shortGrace_sweepsNoMoreOftenThanTheMinimumPeriod() {
        ClusterSettings settings = ClusterSettings.of(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .withEmptyRoomGrace(Duration.ofMillis(100));

        assertThat(settings.emptyRoomSweepPeriod()).isEqualTo(ClusterSettings.MIN_PERIOD);
        assertThat(settings.leaseRenewPeriod()).isEqualTo(ClusterSettings.MIN_PERIOD);
    }

    @Test
    void settings_badValues_failNamingFieldAndValue() {
        ClusterSettings settings = ClusterSettings.of(Duration.ofSeconds(1), Duration.ofSeconds(2));

        assertThatThrownBy(() -> settings.withEmptyRoomGrace(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("emptyRoomGrace must be > 0 but was PT0S");
        assertThatThrownBy(() -> settings.withEmptyRoomSweepPeriod(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("emptyRoomSweepPeriod must be > 0 but was PT-0.005S");
        assertThatThrownBy(() -> ClusterSettings.of(null, Duration.ofSeconds(2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requestTimeout must be > 0 but was null");
        assertThatThrownBy(() -> settings.withTicker(null)).isInstanceOf(NullPointerException.class).hasMessage("ticker");
    }
}
