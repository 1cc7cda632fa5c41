/**
 * The SPI through which a WebSocket server plugs into the cluster.
 *
 * @since 0.1.0
 */
package io.wscluster.spi;
