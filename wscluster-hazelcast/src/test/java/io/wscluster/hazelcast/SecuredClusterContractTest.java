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
        ClusterFixture fixture = new ClusterFixture();
        int[] ports = ClusterFixture.freePorts(count);
        String[] seeds = new String[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = "127.0.0.1:" + ports[i];
        }
        try {
            for (int port : ports) {
                fixture.add(port, builder -> builder.clusterSecret("contract-kit-cluster-secret-0123"), seeds);
            }
        } catch (RuntimeException e) {
            fixture.close();
            throw e;
        }
        return fixture.asKitNodes();
    }
}
