/**
 * The wscluster cluster on Hazelcast; start at {@link io.wscluster.hazelcast.HazelcastCluster}.
 *
 * @since 0.1.0
 */
package io.wscluster.hazelcast;
