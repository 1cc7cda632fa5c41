package io.wscluster.hazelcast;

import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.testkit.ClusterContractKit;
import io.wscluster.testkit.ClusterNodes;

/**
 * Issue 14: the whole cluster contract ({@link ClusterContractKit}) on real members that share a
 * cluster secret: sealing every message and record changes nothing a user of the API sees.
 */
class SecuredClusterContractTest extends ClusterContractKit {

    @Override
    protected ClusterNodes startNodes(int count) {
        return ClusterFixture.start(count, builder -> builder.clusterSecret("contract-kit-cluster-secret-0123")).asKitNodes();
    }
}
