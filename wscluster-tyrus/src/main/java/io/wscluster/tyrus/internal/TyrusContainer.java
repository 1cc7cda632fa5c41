package io.wscluster.tyrus.internal;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.core.cluster.ClusterContext;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Tyrus's server container for one {@code WsServer}, serving endpoints under the root path. */
final class TyrusContainer extends TyrusServerContainer {

    static final String CONTEXT_PATH = "/";

    private final TyrusWebSocketEngine engine;
    private final Map<String, Object> properties = new ConcurrentHashMap<>();
    private volatile int boundPort = -1;

    TyrusContainer(int incomingBufferSize, ClusterContext clusterContext) {
        super((Set<Class<?>>) null);
        this.engine = TyrusWebSocketEngine.builder(this)
                .incomingBufferSize(incomingBufferSize)
                .clusterContext(clusterContext)
                .build();
    }

    @Override
    public void register(Class<?> endpointClass) throws DeploymentException {
        engine.register(endpointClass, CONTEXT_PATH);
    }

    @Override
    public void register(ServerEndpointConfig serverEndpointConfig) throws DeploymentException {
        engine.register(serverEndpointConfig, CONTEXT_PATH);
    }

    @Override
    public Map<String, Object> getProperties() {
        return properties;
    }

    @Override
    public WebSocketEngine getWebSocketEngine() {
        return engine;
    }

    void boundPort(int port) {
        boundPort = port;
    }

    @Override
    public int getPort() {
        return boundPort;
    }
}
