package io.wscluster.tyrus.internal;

import io.wscluster.tyrus.ServerStats;
import io.wscluster.tyrus.ServerStatus;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.grizzly.http.server.CLStaticHttpHandler;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.server.ServerConfiguration;
import org.glassfish.grizzly.http.server.StaticHttpHandler;
import org.glassfish.grizzly.nio.ChannelConfigurator;
import org.glassfish.grizzly.nio.NIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.glassfish.tyrus.core.cluster.ClusterContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts and drains one server: a Grizzly {@link HttpServer} on the configured host and port that
 * carries Tyrus's WebSocket filter (through its public {@link WebSocketAddOn}), the admission
 * filter, {@code /health} and static files.
 *
 * <p>Drain order: refuse new handshakes (503), close every session with 1001, wait for them up to
 * the drain timeout, deregister whatever is left, leave the cluster, stop the port. Bounded by the
 * drain timeout plus the cluster's own close.
 */
public final class ServerLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ServerLifecycle.class);
    private static final String LISTENER = "wscluster";
    /** Tyrus's own default incoming buffer (4 MiB + frame header); frames above it close with 1011. */
    private static final int TYRUS_DEFAULT_INCOMING_BUFFER_SIZE = 4_194_315;

    private final ServerRuntime runtime;
    private final List<Class<?>> annotatedEndpoints;
    private final List<ServerEndpointConfig> programmaticEndpoints;
    private final Path staticDirectory;
    private final ClassLoader staticClassLoader;
    private final String staticClassPathPrefix;
    private final ClusterContext clusterContext;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile HttpServer http;
    private volatile TyrusContainer container;
    private volatile ConnectionGuard guard;

    /**
     * Creates the life cycle of one server.
     *
     * @param runtime               the runtime
     * @param annotatedEndpoints    annotated endpoint classes
     * @param programmaticEndpoints programmatic endpoint configs
     * @param staticDirectory       directory of static files, or null
     * @param staticClassLoader     class loader of static resources, or null
     * @param staticClassPathPrefix class path prefix of static resources, or null
     * @param clusterContext        Tyrus cluster SPI to install, or null
     */
    public ServerLifecycle(ServerRuntime runtime, List<Class<?>> annotatedEndpoints,
                           List<ServerEndpointConfig> programmaticEndpoints, Path staticDirectory,
                           ClassLoader staticClassLoader, String staticClassPathPrefix, ClusterContext clusterContext) {
        this.runtime = runtime;
        this.annotatedEndpoints = List.copyOf(annotatedEndpoints);
        this.programmaticEndpoints = List.copyOf(programmaticEndpoints);
        this.staticDirectory = staticDirectory;
        this.staticClassLoader = staticClassLoader;
        this.staticClassPathPrefix = staticClassPathPrefix;
        this.clusterContext = clusterContext;
    }

    /**
     * Deploys the endpoints and opens the port.
     *
     * @return the bound port
     * @throws IOException         if the port cannot be bound
     * @throws DeploymentException if an endpoint is invalid
     */
    public int start() throws IOException, DeploymentException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("server on port " + runtime.settings().port() + " was already started");
        }
        Settings s = runtime.settings();
        int maxMessage = Math.max(s.inbound().maxTextMessageBytes(), s.inbound().maxBinaryMessageBytes());
        int incomingBufferSize = Math.max(TYRUS_DEFAULT_INCOMING_BUFFER_SIZE, maxMessage + 16);
        TyrusContainer tyrus = new TyrusContainer(incomingBufferSize, clusterContext);
        tyrus.setDefaultMaxTextMessageBufferSize(s.inbound().maxTextMessageBytes());
        tyrus.setDefaultMaxBinaryMessageBufferSize(s.inbound().maxBinaryMessageBytes());
        // Tyrus 2.2.2 treats 0 as "check idleness now" and re-arms a timer on every frame sent and
        // received; only a negative value means no timer (about 30% of the CPU of a fan-out).
        tyrus.setDefaultMaxSessionIdleTimeout(s.inbound().idleTimeout().isZero() ? -1 : s.inbound().idleTimeout().toMillis());
        runtime.attach();
        for (Class<?> endpoint : annotatedEndpoints) {
            tyrus.register(Deployer.annotated(endpoint, runtime, incomingBufferSize, tyrus.getInstalledExtensions()));
        }
        for (ServerEndpointConfig config : programmaticEndpoints) {
            tyrus.register(Deployer.programmatic(config, runtime));
        }

        HttpServer server = new HttpServer();
        NetworkListener listener = new NetworkListener(LISTENER, s.host(), s.port());
        // Grizzly's file cache answers cached files in front of every handler, a WebSocket upgrade
        // to a file's path included; static files here are a page or two, so serve them uncached.
        listener.getFileCache().setEnabled(false);
        server.addListener(listener);
        listener.getTransport().setIOStrategy(WorkerThreadIOStrategy.getInstance());
        if (s.outbound().socketSendBufferBytes() > 0) {
            listener.getTransport().setChannelConfigurator(new SendBufferConfigurator(s.outbound().socketSendBufferBytes()));
        }
        // WebSocket connections live for hours: no HTTP keep-alive idle timeout (as Tyrus's own container)
        listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
        listener.registerAddOn(new WebSocketAddOn(tyrus, TyrusContainer.CONTEXT_PATH));
        ConnectionGuard connections = new ConnectionGuard(runtime);
        this.guard = connections;
        listener.registerAddOn(new AdmissionAddOn(runtime, connections)); // around Tyrus's filter: after its add-on

        ServerConfiguration config = server.getServerConfiguration();
        config.setJmxEnabled(false);
        config.addHttpHandler(new HealthHandler(runtime), "/health");
        HttpHandler files = null;
        if (staticDirectory != null) {
            files = new StaticHttpHandler(staticDirectory.toAbsolutePath().toString());
        } else if (staticClassLoader != null) {
            files = new CLStaticHttpHandler(staticClassLoader, staticClassPathPrefix);
        }
        if (files != null) {
            config.addHttpHandler(files, "/"); // upgrade requests never get here: NoEndpointFilter
        }
        try {
            server.start();
        } catch (IOException e) {
            connections.shutdown();
            runtime.shutdownExecutor();
            runtime.registrar().shutdown();
            throw e;
        }
        try {
            tyrus.start(TyrusContainer.CONTEXT_PATH, listener.getPort());
        } catch (DeploymentException | IOException e) {
            connections.shutdown();
            server.shutdownNow();
            runtime.registrar().shutdown();
            throw e;
        }
        tyrus.boundPort(listener.getPort());
        this.http = server;
        this.container = tyrus;
        runtime.status(ServerStatus.RUNNING);
        LOG.info("wscluster server of node {} listening on {}:{} ({} endpoint(s); at most {} sockets, handshake timeout {} ms)",
                s.cluster().localNode(), s.host(), listener.getPort(),
                annotatedEndpoints.size() + programmaticEndpoints.size(),
                connections.maxSockets() == Integer.MAX_VALUE ? "unbounded" : connections.maxSockets(),
                s.admission().handshakeTimeout().toMillis());
        return listener.getPort();
    }

    /** Tyrus never shuts its cluster context down: the drain does, after the sessions are deregistered. */
    private void shutdownClusterContext() {
        runtime.registrar().shutdown();
        if (clusterContext != null) {
            try {
                clusterContext.shutdown();
            } catch (RuntimeException e) {
                LOG.warn("Shutting down the Tyrus cluster context failed", e);
            }
        }
    }

    /** @return the bound port, or -1 before start */
    public int port() {
        TyrusContainer c = container;
        return c == null ? -1 : c.getPort();
    }

    /** @return the runtime's counters */
    public ServerStats stats() {
        return runtime.stats();
    }

    /**
     * Drains and stops; idempotent, and concurrent callers wait for the first one.
     *
     * @return true if every session closed before the drain timeout
     */
    public boolean drain() {
        if (!draining.compareAndSet(false, true)) {
            try {
                stopped.await(runtime.settings().drainTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return runtime.sessionCount() == 0;
        }
        Settings s = runtime.settings();
        long deadline = System.nanoTime() + s.drainTimeout().toNanos();
        boolean clean = true;
        try {
            if (runtime.status() == ServerStatus.RUNNING) {
                runtime.status(ServerStatus.DRAINING);
                int open = runtime.sessionCount();
                LOG.info("Draining node {}: closing {} session(s) with 1001", s.cluster().localNode(), open);
                runtime.closeAllGoingAway();
                try {
                    clean = runtime.awaitNoSessions(deadline);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    clean = false;
                }
                if (!clean) {
                    LOG.warn("Drain of node {}: {} session(s) still open after {} ms; deregistering them anyway",
                            s.cluster().localNode(), runtime.sessionCount(), s.drainTimeout().toMillis());
                }
            } else {
                runtime.status(ServerStatus.DRAINING);
            }
            runtime.deregisterAll();
            shutdownClusterContext();
            if (s.closeClusterOnDrain()) {
                try {
                    s.cluster().close();
                } catch (RuntimeException e) {
                    LOG.warn("Leaving the cluster failed", e);
                }
            }
        } finally {
            HttpServer server = http;
            if (server != null) {
                server.shutdownNow();
            }
            TyrusContainer c = container;
            if (c != null) {
                c.stop();
            }
            ConnectionGuard g = guard;
            if (g != null) {
                g.shutdown();
            }
            runtime.shutdownExecutor();
            runtime.status(ServerStatus.STOPPED);
            stopped.countDown();
            LOG.info("wscluster server of node {} stopped", s.cluster().localNode());
        }
        return clean;
    }

    /** Grizzly's own channel set-up, then a fixed kernel send buffer on each accepted connection. */
    private record SendBufferConfigurator(int bytes) implements ChannelConfigurator {

        @Override
        public void preConfigure(NIOTransport transport, SelectableChannel channel) throws IOException {
            TCPNIOTransport.DEFAULT_CHANNEL_CONFIGURATOR.preConfigure(transport, channel);
            if (channel instanceof SocketChannel socket) {
                socket.setOption(StandardSocketOptions.SO_SNDBUF, bytes);
            }
        }

        @Override
        public void postConfigure(NIOTransport transport, SelectableChannel channel) throws IOException {
            TCPNIOTransport.DEFAULT_CHANNEL_CONFIGURATOR.postConfigure(transport, channel);
        }
    }
}
