package io.wscluster.testkit;

import java.time.Duration;
import java.util.List;

/**
 * Connected nodes of one cluster, started by a backend for the contract kits
 * ({@link ClusterContractKit}, {@link NodeLossContractKit}).
 *
 * <p>The nodes may still be discovering each other when {@code startNodes} returns: the kits wait
 * until every node lists all of them.
 */
public interface ClusterNodes extends AutoCloseable {

    /** @return the nodes started, in start order (crashed ones included) */
    List<TestNode> nodes();

    /**
     * @param index 0-based, in start order
     * @return that node
     */
    default TestNode get(int index) {
        return nodes().get(index);
    }

    /**
     * Stops a node at once without leaving, as a crash would: the others must notice and remove its
     * sessions, memberships and presence within {@link #failureTimeout()}.
     *
     * @param node one of {@link #nodes()}
     */
    void crash(TestNode node);

    /** @return how long the survivors may take to clean up after a crashed node */
    Duration failureTimeout();

    /** Stops every node (fast: no graceful leave needed). */
    @Override
    void close();
}
