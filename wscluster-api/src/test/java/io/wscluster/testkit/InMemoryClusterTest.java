package io.wscluster.testkit;

/** The in-memory cluster keeps the cluster contract. */
class InMemoryClusterTest extends ClusterContractKit {

    @Override
    protected ClusterNodes startNodes(int count) {
        return InMemoryNetwork.startNodes(count);
    }
}
