package io.wscluster.hazelcast;

import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.testkit.ClusterNodes;
import io.wscluster.testkit.NodeLossContractKit;

/**
 * A member that dies: its sessions vanish from registry, rooms, presence and interest within the
 * bound ({@link NodeLossContractKit}, on real members over loopback).
 */
class NodeLossTest extends NodeLossContractKit {

    @Override
    protected ClusterNodes startNodes(int count) {
        return ClusterFixture.start(count).asKitNodes();
    }
}
