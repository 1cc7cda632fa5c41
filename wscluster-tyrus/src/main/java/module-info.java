/**
 * The wscluster server on Tyrus: start at {@code io.wscluster.tyrus.WsServer}, or make the plain Tyrus
 * API cluster-wide with {@code io.wscluster.tyrus.TyrusClusterContext};
 * {@code io.wscluster.tyrus.metrics} binds the server's counters to Micrometer. The server's machinery
 * ({@code io.wscluster.tyrus.internal}) and the adapter for Tyrus's cluster SPI
 * ({@code io.wscluster.tyrus.internal.tyruscluster}) are not exported.
 *
 * <p>Read transitively, as public signatures use their types: the wscluster API, the Jakarta WebSocket
 * API ({@code ServerEndpointConfig}, {@code HandshakeRequest}) and Tyrus's core
 * ({@code TyrusClusterContext} is a Tyrus {@code ClusterContext}). Tyrus's Grizzly server container
 * reads {@code jakarta.xml.bind} (not {@code static}), which {@code tyrus-server} brings along.
 * Micrometer is optional: only {@code ServerMeters} needs it.
 *
 * @since 0.2.0
 */
// Micrometer has no module descriptor (its jar names itself micrometer.core); it stays optional
// (ServerMeters suppresses the lint that asks for requires transitive).
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.wscluster.tyrus {
    requires transitive io.wscluster.api;
    requires transitive jakarta.websocket;
    requires transitive org.glassfish.tyrus.core;
    requires org.glassfish.tyrus.spi;
    requires org.glassfish.tyrus.server;
    requires org.glassfish.tyrus.container.grizzly.server;
    requires org.glassfish.grizzly;
    requires org.glassfish.grizzly.http;
    requires org.glassfish.grizzly.http.server;
    requires static micrometer.core;
    requires org.slf4j;
    requires java.management;
    requires jdk.management; // the file-descriptor limit (UnixOperatingSystemMXBean)

    exports io.wscluster.tyrus;
    exports io.wscluster.tyrus.metrics;
    // Tyrus instantiates and calls the endpoint the server deploys for every user endpoint
    // (internal.SessionEndpoint) by reflection: to Tyrus only, never to users.
    exports io.wscluster.tyrus.internal to org.glassfish.tyrus.core;
}
