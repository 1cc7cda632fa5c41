package io.wscluster.testkit;

/** The in-memory cluster keeps the node-loss contract: a crash or a close removes the node's sessions at once. */
class InMemoryNodeLossTest extends NodeLossContractKit {

    @Override
    protected ClusterNodes startNodes(int count) {
        return InMemoryNetwork.startNodes(count);
    }
}
