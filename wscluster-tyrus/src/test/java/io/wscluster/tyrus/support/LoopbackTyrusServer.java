package io.wscluster.tyrus.support;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.core.cluster.ClusterContext;
import org.glassfish.tyrus.core.monitoring.ApplicationEventListener;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A plain Tyrus server with no wscluster in it, bound to 127.0.0.1: Tyrus's own engine, configured
 * from a properties map the way Tyrus's Grizzly server container reads it
 * ({@link ClusterContext#CLUSTER_CONTEXT}, {@link ApplicationEventListener#APPLICATION_EVENT_LISTENER}),
 * on a Grizzly server of our own (Tyrus's {@code Server} binds 0.0.0.0 whatever host it is given).
 */
public final class LoopbackTyrusServer implements AutoCloseable {

    private final HttpServer http;
    private final Container container;
    private final int port;

    private LoopbackTyrusServer(HttpServer http, Container container, int port) {
        this.http = http;
        this.container = container;
        this.port = port;
    }

    /**
     * Starts a server.
     *
     * @param properties   the server container properties
     * @param annotated    annotated endpoint classes
     * @param programmatic programmatic endpoint configs
     * @return the running server
     */
    public static LoopbackTyrusServer start(Map<String, Object> properties, List<Class<?>> annotated,
                                            List<ServerEndpointConfig> programmatic) {
        Container container = new Container(properties);
        try {
            for (Class<?> endpoint : annotated) {
                container.register(endpoint);
            }
            for (ServerEndpointConfig config : programmatic) {
                container.register(config);
            }
            HttpServer http = new HttpServer();
            NetworkListener listener = new NetworkListener("tyrus", "127.0.0.1", 0);
            http.addListener(listener);
            listener.getTransport().setIOStrategy(WorkerThreadIOStrategy.getInstance());
            listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
            listener.registerAddOn(new WebSocketAddOn(container, "/"));
            http.getServerConfiguration().setJmxEnabled(false);
            http.start();
            container.start("/", listener.getPort());
            return new LoopbackTyrusServer(http, container, listener.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (DeploymentException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return {@code ws://127.0.0.1:PORT} + path */
    public URI ws(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port + pathAndQuery);
    }

    @Override
    public void close() {
        http.shutdownNow();
        container.stop();
    }

    private static final class Container extends TyrusServerContainer {

        private final TyrusWebSocketEngine engine;
        private final Map<String, Object> properties;

        Container(Map<String, Object> properties) {
            super((Set<Class<?>>) null);
            this.properties = Map.copyOf(properties);
            this.engine = TyrusWebSocketEngine.builder(this)
                    .clusterContext((ClusterContext) properties.get(ClusterContext.CLUSTER_CONTEXT))
                    .applicationEventListener((ApplicationEventListener)
                            properties.get(ApplicationEventListener.APPLICATION_EVENT_LISTENER))
                    .build();
        }

        @Override
        public void register(Class<?> endpointClass) throws DeploymentException {
            engine.register(endpointClass, "/");
        }

        @Override
        public void register(ServerEndpointConfig config) throws DeploymentException {
            engine.register(config, "/");
        }

        @Override
        public Map<String, Object> getProperties() {
            return properties;
        }

        @Override
        public WebSocketEngine getWebSocketEngine() {
            return engine;
        }
    }
}
