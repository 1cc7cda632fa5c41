package io.wscluster.hazelcast;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wscluster.hazelcast.internal.EmbeddedMember;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13: a failure detection time of 3 s (60% of a 5 s failure timeout) split a healthy pair on a
 * busy 2-core machine. An embedded member never runs with a heartbeat timeout under
 * {@link HazelcastCluster.Builder#MIN_DETECTION_TIME}: a shorter one, derived or set, is raised to
 * it, with a WARN that names the setting and the minimum.
 */
class DetectionFloorTest {

    private static final String HEARTBEAT = "hazelcast.max.no.heartbeat.seconds";
    private final Logger log = (Logger) LoggerFactory.getLogger(EmbeddedMember.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @BeforeEach
    void capture() {
        appender.start();
        log.addAppender(appender);
    }

    @AfterEach
    void release() {
        log.detachAppender(appender);
    }

    private String heartbeatTimeoutOf(UnaryOperator<HazelcastCluster.Builder> settings) {
        int port = ClusterFixture.freePorts(1)[0];
        HazelcastCluster cluster = settings.apply(HazelcastCluster.builder().clusterName("wsc-floor-" + port).port(port)
                .property("hazelcast.partition.count", "7")).build();
        try {
            return cluster.hazelcastInstance().getConfig().getProperty(HEARTBEAT);
        } finally {
            cluster.crash();
        }
    }

    /** @return this test's warnings (classes running in parallel start members of their own) */
    private List<String> warnings() {
        String thread = Thread.currentThread().getName();
        List<ILoggingEvent> events;
        synchronized (appender) { // AppenderBase appends under this lock
            events = List.copyOf(appender.list);
        }
        return events.stream().filter(e -> e.getLevel() == Level.WARN && thread.equals(e.getThreadName()))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void failureTimeout_whoseSixtyPercentIsUnderTheFloor_detectionRaisedToFiveSecondsWithAWarning() {
        assertThat(HazelcastCluster.Builder.MIN_DETECTION_TIME).isEqualTo(Duration.ofSeconds(5));

        assertThat(heartbeatTimeoutOf(b -> b.failureTimeout(Duration.ofSeconds(5)))).isEqualTo("5");

        assertThat(warnings()).singleElement().asString()
                .contains("failureTimeout 5000 ms gives a failure detection time (" + HEARTBEAT + ") of 3 s")
                .contains("below the minimum of 5 s")
                .contains("detection raised to 5 s")
                .contains("a failureTimeout of at least 8333 ms");
    }

    @Test
    void heartbeatTimeoutProperty_underTheFloor_raisedToFiveSecondsWithAWarningNamingIt() {
        assertThat(heartbeatTimeoutOf(b -> b.failureTimeout(Duration.ofSeconds(30)).property(HEARTBEAT, "2"))).isEqualTo("5");

        assertThat(warnings()).singleElement().asString()
                .isEqualTo(HEARTBEAT + "=2 is below wscluster's minimum failure detection time of 5 s, at which a busy member can miss"
                        + " heartbeats and split a healthy cluster; raised to 5 s");
    }

    @Test
    void detection_atOrAboveTheFloor_keptAsDerivedOrSet_noWarning() {
        assertThat(heartbeatTimeoutOf(b -> b.failureTimeout(Duration.ofMillis(8_400)))).isEqualTo("6");
        assertThat(heartbeatTimeoutOf(b -> b.failureTimeout(Duration.ofSeconds(4)).property(HEARTBEAT, "5"))).isEqualTo("5");
        assertThat(heartbeatTimeoutOf(b -> b.property(HEARTBEAT, "7"))).isEqualTo("7");

        assertThat(warnings()).isEmpty();
    }
}
