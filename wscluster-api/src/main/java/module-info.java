/**
 * The public API of wscluster: the cluster interfaces and value types ({@code io.wscluster}), the
 * events ({@code io.wscluster.event}), the annotations ({@code io.wscluster.annotation}) and the
 * server SPI ({@code io.wscluster.spi}).
 *
 * <p>The Jakarta WebSocket API is optional: only {@code ClusterSession.of(Session)} needs it, and an
 * application that calls it has it already.
 *
 * @since 0.1.0
 */
module io.wscluster.api {
    requires static jakarta.websocket.client;
    requires org.slf4j;

    exports io.wscluster;
    exports io.wscluster.annotation;
    exports io.wscluster.event;
    exports io.wscluster.spi;
}
