package io.wscluster.testkit;

import io.wscluster.HistorySettings;

import java.time.Duration;

/** The in-memory cluster keeps the history contract. */
class InMemoryHistoryTest extends HistoryContractKit {

    private final MovableClock clock = new MovableClock();

    @Override
    protected ClusterNodes startNodes(int count, HistorySettings history) {
        return InMemoryNetwork.startNodes(new InMemoryNetwork(clock, history), count);
    }

    @Override
    protected void advanceClock(Duration amount) {
        clock.advance(amount);
    }
}
