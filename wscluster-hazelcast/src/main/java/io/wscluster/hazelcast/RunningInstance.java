package io.wscluster.hazelcast;

import com.hazelcast.core.HazelcastInstance;

/**
 * The Hazelcast instance a node runs on, and whether wscluster stops it: a member it started itself
 * ({@code owned}) is shut down when the node closes and terminated when it crashes or fails to start;
 * an instance the user passed to {@link HazelcastCluster.Builder#hazelcastInstance} is never stopped
 * here, whatever happens to the node.
 *
 * @param hazelcast the instance
 * @param owned     true if wscluster started it
 */
record RunningInstance(HazelcastInstance hazelcast, boolean owned) {

    /** Leaves the cluster gracefully if the member is ours and still running. */
    void shutdown() {
        if (owned && hazelcast.getLifecycleService().isRunning()) {
            hazelcast.shutdown();
        }
    }

    /** Stops the member at once, as a crash would, if it is ours. */
    void terminate() {
        if (owned) {
            hazelcast.getLifecycleService().terminate();
        }
    }
}
