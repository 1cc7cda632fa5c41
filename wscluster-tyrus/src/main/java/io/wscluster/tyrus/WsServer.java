package io.wscluster.tyrus;

import io.wscluster.annotation.Clustered;

import io.wscluster.Cluster;
import io.wscluster.ClusterSession;
import io.wscluster.spi.LoggingCheck;
import io.wscluster.tyrus.internal.ServerLifecycle;
import io.wscluster.tyrus.internal.ServerRuntime;
import io.wscluster.tyrus.internal.Settings;
import jakarta.websocket.DeploymentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * One node's WebSocket server: Tyrus on its own Grizzly HTTP server, attached to a {@link Cluster}.
 *
 * <p>On one port it serves the deployed endpoints, {@code GET /health} (the JSON of the chat
 * protocol: node, members, localSessions, clusterSessions; 503 with a status while starting or
 * draining) and optional static files. Every endpoint it deploys gets the server's limits, origin
 * check and authenticator; endpoints annotated {@link Clustered} also get cluster registration and
 * backpressured local delivery ({@link ClusterSession}), and so does every endpoint when a
 * {@link TyrusClusterContext} makes the plain Tyrus API cluster-wide ({@link WsServerBuilder#tyrusClusterContext}).
 *
 * <pre>{@code
 * Cluster cluster = HazelcastCluster.builder().clusterName("demo").build();
 * WsServer server = WsServer.builder()
 *         .host("127.0.0.1").port(8081)
 *         .cluster(cluster)
 *         .endpoint(ChatEndpoint.class)
 *         .userResolver(UserResolver.queryParam("user"))
 *         .shutdownHook(true)
 *         .build()
 *         .start();
 * // ...
 * server.drain();   // 1001 to every client, deregister, leave the cluster, close the port
 * }</pre>
 *
 * @since 0.1.0
 */
public final class WsServer implements AutoCloseable {

    /** Default host: loopback; binding every interface ({@code 0.0.0.0}) is an explicit choice. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default port: 0, a free port picked at start (read it with {@link #port()}). */
    public static final int DEFAULT_PORT = 0;
    /** Default time a drain waits for sessions to close before deregistering them anyway: 5 seconds. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

    // The limits' defaults live with their group; these names stay for code written against 0.1.0.
    /** Same as {@link AdmissionSettings#DEFAULT_MAX_CONNECTIONS}: 10,000. */
    public static final int DEFAULT_MAX_CONNECTIONS = AdmissionSettings.DEFAULT_MAX_CONNECTIONS;
    /** Same as {@link AdmissionSettings#DEFAULT_RETRY_AFTER}: 5 seconds. */
    public static final Duration DEFAULT_RETRY_AFTER = AdmissionSettings.DEFAULT_RETRY_AFTER;
    /** Same as {@link InboundSettings#DEFAULT_MAX_TEXT_MESSAGE_BYTES}: 65,536. */
    public static final int DEFAULT_MAX_TEXT_MESSAGE_BYTES = InboundSettings.DEFAULT_MAX_TEXT_MESSAGE_BYTES;
    /** Same as {@link InboundSettings#DEFAULT_MAX_BINARY_MESSAGE_BYTES}: 65,536. */
    public static final int DEFAULT_MAX_BINARY_MESSAGE_BYTES = InboundSettings.DEFAULT_MAX_BINARY_MESSAGE_BYTES;
    /** Same as {@link InboundSettings#DEFAULT_IDLE_TIMEOUT}: none. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = InboundSettings.DEFAULT_IDLE_TIMEOUT;
    /** Same as {@link InboundSettings#DEFAULT_RATE_LIMIT_PER_SECOND}: none. */
    public static final double DEFAULT_RATE_LIMIT_PER_SECOND = InboundSettings.DEFAULT_RATE_LIMIT_PER_SECOND;
    /** Same as {@link InboundSettings#DEFAULT_RATE_LIMIT_BURST}: 0. */
    public static final int DEFAULT_RATE_LIMIT_BURST = InboundSettings.DEFAULT_RATE_LIMIT_BURST;
    /** Same as {@link OutboundSettings#DEFAULT_MAX_QUEUED_MESSAGES}: 1,024. */
    public static final int DEFAULT_MAX_QUEUED_MESSAGES = OutboundSettings.DEFAULT_MAX_QUEUED_MESSAGES;
    /** Same as {@link OutboundSettings#DEFAULT_MAX_QUEUED_BYTES}: 4 MiB. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = OutboundSettings.DEFAULT_MAX_QUEUED_BYTES;
    /** Same as {@link OutboundSettings#DEFAULT_SOCKET_SEND_BUFFER_BYTES}: 0, the system's. */
    public static final int DEFAULT_SOCKET_SEND_BUFFER_BYTES = OutboundSettings.DEFAULT_SOCKET_SEND_BUFFER_BYTES;
    /** Same as {@link OutboundSettings#DEFAULT_OVERFLOW_POLICY}: close the session. */
    public static final OverflowPolicy DEFAULT_OVERFLOW_POLICY = OutboundSettings.DEFAULT_OVERFLOW_POLICY;
    /** Same as {@link OutboundSettings#DEFAULT_OVERFLOW_CLOSE_CODE}: 1013. */
    public static final int DEFAULT_OVERFLOW_CLOSE_CODE = OutboundSettings.DEFAULT_OVERFLOW_CLOSE_CODE;

    private static final Logger LOG = LoggerFactory.getLogger(WsServer.class);

    private final ServerRuntime runtime;
    private final ServerLifecycle lifecycle;
    private final boolean shutdownHook;
    private volatile Thread hook;

    WsServer(ServerRuntime runtime, ServerLifecycle lifecycle, boolean shutdownHook) {
        this.runtime = runtime;
        this.lifecycle = lifecycle;
        this.shutdownHook = shutdownHook;
    }

    /** @return a new builder, holding the defaults */
    public static WsServerBuilder builder() {
        LoggingCheck.warnIfNoProvider();
        return new WsServerBuilder();
    }

    /**
     * Attaches to the cluster, deploys the endpoints and opens the port. Register the cluster first:
     * handshakes are refused with 503 until this returns.
     *
     * @return this server
     * @throws UncheckedIOException  if the port cannot be bound
     * @throws IllegalStateException if an endpoint cannot be deployed, or the server was started before
     */
    public WsServer start() {
        try {
            lifecycle.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the server on " + runtime.settings().host() + ":"
                    + runtime.settings().port(), e);
        } catch (DeploymentException e) {
            throw new IllegalStateException("Cannot deploy the endpoints: " + e.getMessage(), e);
        }
        if (shutdownHook) {
            Thread t = new Thread(this::drainFromHook, "wscluster-drain-" + port());
            Runtime.getRuntime().addShutdownHook(t);
            hook = t;
        }
        return this;
    }

    /**
     * Drains this node, within the drain timeout plus the time the cluster takes to leave: refuses new
     * handshakes with 503, closes every session with 1001 (going away) so clients reconnect elsewhere,
     * deregisters what is left, closes the cluster (unless {@link WsServerBuilder#closeClusterOnDrain} is
     * false), and closes the port. Idempotent.
     *
     * @return true if every session closed before the drain timeout
     */
    public boolean drain() {
        removeHook();
        return lifecycle.drain();
    }

    /** Same as {@link #drain()}. */
    @Override
    public void close() {
        drain();
    }

    /** @return the bound port, or -1 before {@link #start()} */
    public int port() {
        return lifecycle.port();
    }

    /** @return the life-cycle status */
    public ServerStatus status() {
        return runtime.status();
    }

    /** @return the server's counters (connections, queues, drops, refusals) */
    public ServerStats stats() {
        return runtime.stats();
    }

    /** @return the cluster this server is attached to */
    public Cluster cluster() {
        return runtime.settings().cluster();
    }

    /** @return the settings this server was built with (tests) */
    Settings settings() {
        return runtime.settings();
    }

    private void drainFromHook() {
        hook = null;
        LOG.info("JVM shutdown: draining");
        lifecycle.drain();
    }

    private void removeHook() {
        Thread t = hook;
        if (t != null && t != Thread.currentThread()) {
            hook = null;
            try {
                Runtime.getRuntime().removeShutdownHook(t);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down; the hook runs the same drain
            }
        }
    }
}
