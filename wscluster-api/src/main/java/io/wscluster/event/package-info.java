/**
 * Cluster-wide events and their one publisher, {@link io.wscluster.event.ClusterEvents}.
 *
 * @since 0.1.0
 */
package io.wscluster.event;
