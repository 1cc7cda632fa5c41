/**
 * The wscluster API: one cluster of WebSocket servers, addressed as a whole.
 *
 * <p>Start at {@link io.wscluster.Cluster}.
 *
 * @since 0.1.0
 */
package io.wscluster;
