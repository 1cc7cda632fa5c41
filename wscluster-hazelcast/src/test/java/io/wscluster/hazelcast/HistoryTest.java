package io.wscluster.hazelcast;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wscluster.HistorySettings;
import io.wscluster.Position;
import io.wscluster.Replay;
import io.wscluster.hazelcast.metrics.ClusterMeters;
import org.junit.jupiter.api.Test;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.hazelcast.testkit.ManualTicker;
import io.wscluster.testkit.ClusterNodes;
import io.wscluster.testkit.HistoryContractKit;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Real members over loopback keep the history contract; their clock is a {@link ManualTicker}. */
class HistoryTest extends HistoryContractKit {

    private final ManualTicker ticker = new ManualTicker();

    @Override
    protected ClusterNodes startNodes(int count, HistorySettings history) {
        return ClusterFixture.start(count, b -> b.history(history).settings(s -> s.withTicker(ticker))).asKitNodes();
    }

    @Override
    protected void advanceClock(Duration amount) {
        ticker.advance(amount);
    }

    @Test
    void clusterMeters_countReplays() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new ClusterMeters(node(0).cluster()).bindTo(registry);
        String room = LONG + unique();
        sendAll(node(1), room, 4);
        join(node(0), open(node(0)), room, Replay.last(3));
        join(node(0), open(node(0)), room, Replay.since(new Position(9, "gone")));
        assertThat(registry.get("wscluster.history.replayed").functionCounter().count()).isGreaterThanOrEqualTo(3);
        assertThat(registry.get("wscluster.history.replays").functionCounter().count()).isGreaterThanOrEqualTo(2);
        assertThat(registry.get("wscluster.history.refused").functionCounter().count()).isGreaterThanOrEqualTo(1);
        assertThat(registry.get("wscluster.history.rooms").gauge()).isNotNull();
    }
}
