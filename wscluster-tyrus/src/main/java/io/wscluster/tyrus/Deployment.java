package io.wscluster.tyrus;

import io.wscluster.tyrus.internal.ServerLifecycle;
import io.wscluster.tyrus.internal.ServerRuntime;
import io.wscluster.tyrus.internal.SessionRegistrar;
import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.tyrus.core.cluster.ClusterContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one server deploys, as {@link WsServerBuilder} collects it: its endpoints (annotated classes
 * and programmatic configs), at most one source of static files, and at most one Tyrus
 * {@link ClusterContext}; then the {@link ServerLifecycle} that deploys them.
 *
 * <p>Design notes: each addition is checked when it is made, so a mistake names the endpoint or path
 * at the call that made it rather than at start: a class without {@code @ServerEndpoint} or a config
 * whose class is no {@code Endpoint} is an {@link IllegalArgumentException}; a class deployed twice, a
 * second static source or a second context an {@link IllegalStateException}. A
 * {@link TyrusClusterContext} is claimed by one server only when the server is built, not when it is
 * set, so a builder that is never built leaves it free.
 */
final class Deployment {

    private final List<Class<?>> annotated = new ArrayList<>();
    private final List<ServerEndpointConfig> programmatic = new ArrayList<>();
    private Path staticDirectory;
    private ClassLoader staticClassLoader;
    private String staticPrefix;
    private ClusterContext tyrusClusterContext;

    /** Adds an annotated endpoint class; see {@link WsServerBuilder#endpoint(Class)}. */
    void endpoint(Class<?> endpointClass) {
        Objects.requireNonNull(endpointClass, "endpointClass");
        if (endpointClass.getAnnotation(ServerEndpoint.class) == null) {
            throw new IllegalArgumentException("endpoint class " + endpointClass.getName()
                    + " must be annotated with @ServerEndpoint");
        }
        if (annotated.contains(endpointClass)) {
            throw new IllegalStateException("endpoint class " + endpointClass.getName() + " is already deployed");
        }
        annotated.add(endpointClass);
    }

    /** Adds a programmatic endpoint; see {@link WsServerBuilder#endpoint(ServerEndpointConfig)}. */
    void endpoint(ServerEndpointConfig config) {
        Objects.requireNonNull(config, "config");
        if (!Endpoint.class.isAssignableFrom(config.getEndpointClass())) {
            throw new IllegalArgumentException("endpoint config for " + config.getPath()
                    + " must name a jakarta.websocket.Endpoint subclass but named "
                    + config.getEndpointClass().getName());
        }
        programmatic.add(config);
    }

    /** Serves a directory; see {@link WsServerBuilder#staticResources(Path)}. */
    void staticResources(Path directory) {
        Objects.requireNonNull(directory, "directory");
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("static resources directory must exist but was '" + directory + "'");
        }
        checkNoStatic();
        this.staticDirectory = directory;
    }

    /** Serves class-path resources; see {@link WsServerBuilder#staticResources(ClassLoader, String)}. */
    void staticResources(ClassLoader classLoader, String prefix) {
        Objects.requireNonNull(classLoader, "classLoader");
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("static resources prefix must end with '/' but was '" + prefix + "'");
        }
        checkNoStatic();
        this.staticClassLoader = classLoader;
        this.staticPrefix = prefix.startsWith("/") ? prefix : "/" + prefix;
    }

    /** Installs Tyrus's cluster SPI; see {@link WsServerBuilder#tyrusClusterContext(ClusterContext)}. */
    void tyrusClusterContext(ClusterContext context) {
        Objects.requireNonNull(context, "context");
        if (this.tyrusClusterContext != null) {
            throw new IllegalStateException("tyrusClusterContext is already set");
        }
        if (context instanceof TyrusClusterContext t && !t.forServer()) {
            throw new IllegalArgumentException("tyrusClusterContext must come from TyrusClusterContext.create(), but this"
                    + " one was made by TyrusClusterContext.attach(cluster) and is attached already");
        }
        this.tyrusClusterContext = context;
    }

    /** @throws IllegalStateException if no endpoint was added */
    void requireEndpoint() {
        if (annotated.isEmpty() && programmatic.isEmpty()) {
            throw new IllegalStateException("no endpoint: call endpoint(...) at least once");
        }
    }

    /**
     * How the server registers its sessions: through its {@link TyrusClusterContext}, which this claims
     * for the server, or plainly.
     *
     * @throws IllegalStateException if the context serves another server already
     */
    SessionRegistrar claimRegistrar() {
        return tyrusClusterContext instanceof TyrusClusterContext t ? t.claim() : SessionRegistrar.plain();
    }

    /** @return the life cycle that deploys all this on {@code runtime} */
    ServerLifecycle lifecycle(ServerRuntime runtime) {
        return new ServerLifecycle(runtime, annotated, programmatic, staticDirectory, staticClassLoader, staticPrefix,
                tyrusClusterContext);
    }

    private void checkNoStatic() {
        if (staticDirectory != null || staticClassLoader != null) {
            throw new IllegalStateException("static resources are already set");
        }
    }
}
