package io.wscluster.hazelcast;

import io.wscluster.HistorySettings;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.hazelcast.testkit.ManualTicker;
import io.wscluster.testkit.ClusterNodes;
import io.wscluster.testkit.HistoryContractKit;

import java.time.Duration;

/** Real members over loopback keep the history contract; their clock is a {@link ManualTicker}. */
class HistoryTest extends HistoryContractKit {

    private final ManualTicker ticker = new ManualTicker();

    @Override
    protected ClusterNodes startNodes(int count, HistorySettings history) {
        ClusterFixture fixture = new ClusterFixture();
        int[] ports = ClusterFixture.freePorts(count);
        String[] seeds = new String[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = "127.0.0.1:" + ports[i];
        }
        for (int port : ports) {
            fixture.add(port, b -> b.history(history).settings(s -> s.withTicker(ticker)), seeds);
        }
        return fixture.asKitNodes();
    }

    @Override
    protected void advanceClock(Duration amount) {
        ticker.advance(amount);
    }
}
