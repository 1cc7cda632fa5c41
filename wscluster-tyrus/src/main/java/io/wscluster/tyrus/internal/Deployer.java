package io.wscluster.tyrus.internal;

import io.wscluster.Names;
import io.wscluster.annotation.Clustered;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.tyrus.core.AnnotatedEndpoint;
import org.glassfish.tyrus.core.ComponentProviderService;
import org.glassfish.tyrus.core.ErrorCollector;
import org.glassfish.tyrus.core.monitoring.EndpointEventListener;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns the endpoints given to a server into the configs Tyrus deploys: each one is wrapped by a
 * {@link SessionEndpoint} and a {@link GuardConfigurator}, keeping its path, subprotocols,
 * extensions, encoders, decoders and configurator.
 *
 * <p>An annotated class is parsed by Tyrus's own {@link AnnotatedEndpoint} (the same code Tyrus
 * uses when it deploys the class itself), so {@code @OnMessage(maxMessageSize)}, decoders and
 * {@code @PathParam} behave as in plain Tyrus.
 */
final class Deployer {

    private Deployer() {
    }

    static ServerEndpointConfig annotated(Class<?> endpointClass, ServerRuntime runtime, int incomingBufferSize,
                                          Set<Extension> installedExtensions) throws DeploymentException {
        if (endpointClass.getAnnotation(ServerEndpoint.class) == null) {
            throw new DeploymentException("Class " + endpointClass.getName() + " is not annotated with @ServerEndpoint");
        }
        ErrorCollector collector = new ErrorCollector();
        AnnotatedEndpoint endpoint = AnnotatedEndpoint.fromClass(endpointClass, ComponentProviderService.create(), true,
                incomingBufferSize, collector, EndpointEventListener.NO_OP, installedExtensions);
        if (!collector.isEmpty()) {
            throw collector.composeComprehensiveException();
        }
        ServerEndpointConfig inner = (ServerEndpointConfig) endpoint.getEndpointConfig();
        return wrap(inner, endpointClass, () -> endpoint, runtime);
    }

    static ServerEndpointConfig programmatic(ServerEndpointConfig config, ServerRuntime runtime) {
        Class<?> endpointClass = config.getEndpointClass();
        if (!Endpoint.class.isAssignableFrom(endpointClass)) {
            throw new IllegalArgumentException("endpoint config for " + config.getPath()
                    + " must name a jakarta.websocket.Endpoint subclass but named " + endpointClass.getName());
        }
        Supplier<Endpoint> instances = () -> {
            try {
                return (Endpoint) config.getConfigurator().getEndpointInstance(endpointClass);
            } catch (InstantiationException e) {
                throw new IllegalStateException("Cannot instantiate endpoint " + endpointClass.getName(), e);
            }
        };
        return wrap(config, endpointClass, instances, runtime);
    }

    private static Set<String> fixedRooms(Clustered clustered, Class<?> endpointClass) {
        if (clustered == null) {
            return Set.of();
        }
        Set<String> rooms = new LinkedHashSet<>();
        for (String room : clustered.rooms()) {
            if (!Names.isValidRoom(room)) {
                throw new IllegalArgumentException("@Clustered(rooms) of " + endpointClass.getName()
                        + " must hold valid room names but held '" + room + "'");
            }
            rooms.add(room);
        }
        return Collections.unmodifiableSet(rooms);
    }

    private static ServerEndpointConfig wrap(ServerEndpointConfig inner, Class<?> endpointClass,
                                             Supplier<Endpoint> delegate, ServerRuntime runtime) {
        Clustered clustered = endpointClass.getAnnotation(Clustered.class);
        boolean registered = clustered != null || runtime.registrar().registersEverySession();
        EndpointSpec spec = new EndpointSpec(inner.getPath(), registered,
                clustered == null ? "" : clustered.roomPathParam(), fixedRooms(clustered, endpointClass), delegate);
        SessionEndpoint endpoint = new SessionEndpoint(runtime, spec);
        GuardConfigurator configurator = new GuardConfigurator(inner.getConfigurator(), runtime, endpoint, registered);
        ServerEndpointConfig outer = ServerEndpointConfig.Builder.create(SessionEndpoint.class, inner.getPath())
                .subprotocols(inner.getSubprotocols())
                .extensions(inner.getExtensions())
                .encoders(inner.getEncoders())
                .decoders(inner.getDecoders())
                .configurator(configurator)
                .build();
        outer.getUserProperties().putAll(inner.getUserProperties());
        return outer;
    }
}
