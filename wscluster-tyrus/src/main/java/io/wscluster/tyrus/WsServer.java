package io.wscluster.tyrus;

import io.wscluster.annotation.Clustered;

import io.wscluster.Cluster;
import io.wscluster.ClusterSession;
import io.wscluster.CloseCode;
import io.wscluster.spi.LoggingCheck;
import io.wscluster.tyrus.internal.ServerLifecycle;
import io.wscluster.tyrus.internal.ServerRuntime;
import io.wscluster.tyrus.internal.SessionRegistrar;
import io.wscluster.tyrus.internal.Settings;
import io.wscluster.tyrus.internal.tyruscluster.TyrusClusterAdapter;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.tyrus.core.cluster.ClusterContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One node's WebSocket server: Tyrus on its own Grizzly HTTP server, attached to a {@link Cluster}.
 *
 * <p>On one port it serves the deployed endpoints, {@code GET /health} (the JSON of the chat
 * protocol: node, members, localSessions, clusterSessions; 503 with a status while starting or
 * draining) and optional static files. Every endpoint it deploys gets the server's limits, origin
 * check and authenticator; endpoints annotated {@link Clustered} also get cluster registration and
 * backpressured local delivery ({@link ClusterSession}), and so does every endpoint when a
 * {@link TyrusClusterContext} makes the plain Tyrus API cluster-wide ({@link Builder#tyrusClusterContext}).
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
    /** Default cap on upgraded connections per node: 10,000; past it handshakes get 503. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Default {@code Retry-After} of a 503 refusal: 5 seconds. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    /** Default largest text message accepted from a client: 65,536 bytes; more closes with 1009. */
    public static final int DEFAULT_MAX_TEXT_MESSAGE_BYTES = 65_536;
    /** Default largest binary message accepted from a client: 65,536 bytes; more closes with 1009. */
    public static final int DEFAULT_MAX_BINARY_MESSAGE_BYTES = 65_536;
    /** Default idle timeout: none (zero). A positive value closes silent sessions (Tyrus closes with 1006). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ZERO;
    /** Default bound of a session's outbound queue, in messages: 1,024. */
    public static final int DEFAULT_MAX_QUEUED_MESSAGES = 1_024;
    /** Default bound of a session's outbound queue, in payload bytes: 4 MiB. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 4L * 1024 * 1024;
    /** Default kernel send buffer of each connection: 0, the operating system's own (Linux sizes it itself, up to {@code net.ipv4.tcp_wmem}'s maximum). */
    public static final int DEFAULT_SOCKET_SEND_BUFFER_BYTES = 0;
    /** Default policy for a full outbound queue: close the session. */
    public static final OverflowPolicy DEFAULT_OVERFLOW_POLICY = OverflowPolicy.CLOSE;
    /** Default close code for {@link OverflowPolicy#CLOSE}: 1013, try again later. */
    public static final int DEFAULT_OVERFLOW_CLOSE_CODE = CloseCode.TRY_AGAIN_LATER;
    /** Default inbound rate limit: none (0 messages per second). */
    public static final double DEFAULT_RATE_LIMIT_PER_SECOND = 0;
    /** Default inbound burst: 0, as there is no rate limit by default. */
    public static final int DEFAULT_RATE_LIMIT_BURST = 0;
    /** Default time a drain waits for sessions to close before deregistering them anyway: 5 seconds. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(WsServer.class);

    private final ServerRuntime runtime;
    private final ServerLifecycle lifecycle;
    private final boolean shutdownHook;
    private volatile Thread hook;

    private WsServer(Builder b, Settings settings, SessionRegistrar registrar) {
        this.runtime = new ServerRuntime(settings, registrar);
        this.lifecycle = new ServerLifecycle(runtime, b.annotated, b.programmatic, b.staticDirectory,
                b.staticClassLoader, b.staticPrefix, b.tyrusClusterContext);
        this.shutdownHook = b.shutdownHook;
    }

    /** @return a new builder */
    public static Builder builder() {
        LoggingCheck.warnIfNoProvider();
        return new Builder();
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
     * deregisters what is left, closes the cluster (unless {@link Builder#closeClusterOnDrain} is
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

    /**
     * Builds a {@link WsServer}. Each setter validates its argument at once
     * ({@link IllegalArgumentException} naming the field and value); {@link #build()} checks the
     * whole ({@link IllegalStateException}).
     *
     * @since 0.1.0
     */
    public static final class Builder {

        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private Cluster cluster;
        private boolean closeClusterOnDrain = true;
        private Authenticator authenticator = Authenticator.ALLOW_ALL;
        private UserResolver userResolver = UserResolver.anonymous();
        private RoomResolver roomResolver = RoomResolver.none();
        private final Set<String> allowedOrigins = new LinkedHashSet<>();
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Duration retryAfter = DEFAULT_RETRY_AFTER;
        private int maxTextMessageBytes = DEFAULT_MAX_TEXT_MESSAGE_BYTES;
        private int maxBinaryMessageBytes = DEFAULT_MAX_BINARY_MESSAGE_BYTES;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private int maxQueuedMessages = DEFAULT_MAX_QUEUED_MESSAGES;
        private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
        private int socketSendBufferBytes = DEFAULT_SOCKET_SEND_BUFFER_BYTES;
        private OverflowPolicy overflowPolicy = DEFAULT_OVERFLOW_POLICY;
        private int overflowCloseCode = DEFAULT_OVERFLOW_CLOSE_CODE;
        private double rateLimitPerSecond = DEFAULT_RATE_LIMIT_PER_SECOND;
        private int rateLimitBurst = DEFAULT_RATE_LIMIT_BURST;
        private Consumer<ClusterSession> onRateLimited = s -> { };
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private boolean shutdownHook;
        private final List<Class<?>> annotated = new ArrayList<>();
        private final List<ServerEndpointConfig> programmatic = new ArrayList<>();
        private Path staticDirectory;
        private ClassLoader staticClassLoader;
        private String staticPrefix;
        private ClusterContext tyrusClusterContext;

        private Builder() {
        }

        /**
         * The interface to bind ({@code 127.0.0.1} by default). Use {@code 0.0.0.0} to accept
         * connections on every interface.
         *
         * @param host an address or host name
         * @return this builder
         */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank but was '" + host + "'");
            }
            this.host = host;
            return this;
        }

        /**
         * The port for WebSocket and HTTP; 0 (the default) picks a free one.
         *
         * @param port 0..65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535 but was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The cluster this node belongs to (required). The server attaches to it at start.
         *
         * @param cluster the cluster
         * @return this builder
         */
        public Builder cluster(Cluster cluster) {
            if (this.cluster != null) {
                throw new IllegalStateException("cluster is already set");
            }
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            return this;
        }

        /**
         * Whether {@link WsServer#drain()} closes the cluster after deregistering (default true).
         *
         * @param close false to keep the cluster running after the server drained
         * @return this builder
         */
        public Builder closeClusterOnDrain(boolean close) {
            this.closeClusterOnDrain = close;
            return this;
        }

        /**
         * Deploys an annotated {@code @ServerEndpoint} class; add {@link Clustered} to cluster it.
         *
         * @param endpointClass the class
         * @return this builder
         */
        public Builder endpoint(Class<?> endpointClass) {
            Objects.requireNonNull(endpointClass, "endpointClass");
            if (endpointClass.getAnnotation(ServerEndpoint.class) == null) {
                throw new IllegalArgumentException("endpoint class " + endpointClass.getName()
                        + " must be annotated with @ServerEndpoint");
            }
            if (annotated.contains(endpointClass)) {
                throw new IllegalStateException("endpoint class " + endpointClass.getName() + " is already deployed");
            }
            annotated.add(endpointClass);
            return this;
        }

        /**
         * Deploys a programmatic endpoint; annotate its {@code Endpoint} subclass with {@link Clustered}
         * to cluster it.
         *
         * @param config the endpoint config
         * @return this builder
         */
        public Builder endpoint(ServerEndpointConfig config) {
            Objects.requireNonNull(config, "config");
            if (!jakarta.websocket.Endpoint.class.isAssignableFrom(config.getEndpointClass())) {
                throw new IllegalArgumentException("endpoint config for " + config.getPath()
                        + " must name a jakarta.websocket.Endpoint subclass but named "
                        + config.getEndpointClass().getName());
            }
            programmatic.add(config);
            return this;
        }

        /**
         * Serves the files of a directory on every path not taken by an endpoint or {@code /health}.
         *
         * @param directory an existing directory
         * @return this builder
         */
        public Builder staticResources(Path directory) {
            Objects.requireNonNull(directory, "directory");
            if (!Files.isDirectory(directory)) {
                throw new IllegalArgumentException("static resources directory must exist but was '" + directory + "'");
            }
            checkNoStatic();
            this.staticDirectory = directory;
            return this;
        }

        /**
         * Serves class-path resources under a prefix, e.g. {@code ("web/")} serves {@code web/index.html}
         * as {@code /index.html}.
         *
         * @param classLoader the loader
         * @param prefix      the resource prefix, ending with '/'
         * @return this builder
         */
        public Builder staticResources(ClassLoader classLoader, String prefix) {
            Objects.requireNonNull(classLoader, "classLoader");
            Objects.requireNonNull(prefix, "prefix");
            if (!prefix.endsWith("/")) {
                throw new IllegalArgumentException("static resources prefix must end with '/' but was '" + prefix + "'");
            }
            checkNoStatic();
            this.staticClassLoader = classLoader;
            this.staticPrefix = prefix.startsWith("/") ? prefix : "/" + prefix;
            return this;
        }

        private void checkNoStatic() {
            if (staticDirectory != null || staticClassLoader != null) {
                throw new IllegalStateException("static resources are already set");
            }
        }

        /**
         * Checks each handshake before the upgrade (default: allow all).
         *
         * @param authenticator the check
         * @return this builder
         */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Finds the user of each session of a clustered endpoint, or of every endpoint when a
         * {@link TyrusClusterContext} is installed (default: anonymous).
         *
         * @param userResolver the resolver
         * @return this builder
         */
        public Builder userResolver(UserResolver userResolver) {
            this.userResolver = Objects.requireNonNull(userResolver, "userResolver");
            return this;
        }

        /**
         * Finds the rooms each session of a clustered endpoint joins during its handshake, before its
         * client has the 101, in addition to the endpoint's {@code @Clustered(rooms)} and
         * {@code roomPathParam} (default: none). An invalid room name refuses the handshake with 400.
         *
         * @param roomResolver the resolver
         * @return this builder
         * @since 0.1.0
         */
        public Builder roomResolver(RoomResolver roomResolver) {
            this.roomResolver = Objects.requireNonNull(roomResolver, "roomResolver");
            return this;
        }

        /**
         * Allows browser handshakes only from these origins (exact match, e.g.
         * {@code https://chat.example.com}); others get 403. A handshake without an {@code Origin}
         * header (a non-browser client) is allowed. Default: every origin.
         *
         * @param origins the allowed origins
         * @return this builder
         */
        public Builder allowedOrigins(String... origins) {
            for (String origin : origins) {
                Objects.requireNonNull(origin, "origin");
                if (!origin.contains("://")) {
                    throw new IllegalArgumentException("origin must look like scheme://host[:port] but was '" + origin + "'");
                }
                allowedOrigins.add(origin.toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /**
         * The most upgraded connections this node holds (default {@value WsServer#DEFAULT_MAX_CONNECTIONS});
         * further handshakes get 503 with {@code Retry-After} before the upgrade, existing ones are untouched.
         *
         * @param maxConnections &gt; 0
         * @return this builder
         */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections <= 0) {
                throw new IllegalArgumentException("maxConnections must be > 0 but was " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * The {@code Retry-After} of a 503 refusal (default 5 s), rounded down to seconds, at least 1.
         *
         * @param retryAfter the delay
         * @return this builder
         */
        public Builder retryAfter(Duration retryAfter) {
            Objects.requireNonNull(retryAfter, "retryAfter");
            if (retryAfter.isNegative() || retryAfter.isZero()) {
                throw new IllegalArgumentException("retryAfter must be > 0 but was " + retryAfter);
            }
            this.retryAfter = retryAfter;
            return this;
        }

        /**
         * The largest text message a client may send, after reassembly (default 65,536 bytes); a larger
         * one closes the session with 1009.
         *
         * @param bytes &gt; 0
         * @return this builder
         */
        public Builder maxTextMessageBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxTextMessageBytes must be > 0 but was " + bytes);
            }
            this.maxTextMessageBytes = bytes;
            return this;
        }

        /**
         * The largest binary message a client may send (default 65,536 bytes); larger closes with 1009.
         *
         * @param bytes &gt; 0
         * @return this builder
         */
        public Builder maxBinaryMessageBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxBinaryMessageBytes must be > 0 but was " + bytes);
            }
            this.maxBinaryMessageBytes = bytes;
            return this;
        }

        /**
         * Closes a session that received nothing for this long (default: zero, never).
         *
         * @param idleTimeout zero or positive
         * @return this builder
         */
        public Builder idleTimeout(Duration idleTimeout) {
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (idleTimeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must be >= 0 but was " + idleTimeout);
            }
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * Bounds each session's outbound queue in messages (default 1,024).
         *
         * @param messages &gt; 0
         * @return this builder
         */
        public Builder maxQueuedMessages(int messages) {
            if (messages <= 0) {
                throw new IllegalArgumentException("maxQueuedMessages must be > 0 but was " + messages);
            }
            this.maxQueuedMessages = messages;
            return this;
        }

        /**
         * Bounds each session's outbound queue in payload bytes (default 4 MiB): what waits behind the
         * message being sent. An empty queue takes one message of any size, so a message larger than
         * this bound still reaches a client that keeps up; for a client that does not read, what waits is
         * at most the larger of this bound and one message, plus the one in flight.
         *
         * @param bytes &gt; 0
         * @return this builder
         */
        public Builder maxQueuedBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxQueuedBytes must be > 0 but was " + bytes);
            }
            this.maxQueuedBytes = bytes;
            return this;
        }

        /**
         * The kernel send buffer ({@code SO_SNDBUF}) of each accepted connection, or 0 (the default) to
         * leave it to the operating system. A session's outbound queue fills only once the kernel
         * buffer is full, so a client that stops reading costs up to this much kernel memory, plus
         * the queue, before the overflow policy acts; Linux grows an unset buffer up to
         * {@code net.ipv4.tcp_wmem}'s maximum (4 MiB by default). A fixed size (64 KiB, say) bounds
         * that and gets non-readers handled sooner; too small a size slows large messages over long
         * links. The kernel may round the value.
         *
         * @param bytes 0 for the system default, else &gt;= 4,096
         * @return this builder
         */
        public Builder socketSendBufferBytes(int bytes) {
            if (bytes != 0 && bytes < 4_096) {
                throw new IllegalArgumentException("socketSendBufferBytes must be 0 (system default) or >= 4096 but was " + bytes);
            }
            this.socketSendBufferBytes = bytes;
            return this;
        }

        /**
         * What to do with a session whose outbound queue is full (default {@link OverflowPolicy#CLOSE}).
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder overflowPolicy(OverflowPolicy policy) {
            this.overflowPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The close code of {@link OverflowPolicy#CLOSE}: 1013 (try again later, the default) or 1008
         * (policy violation).
         *
         * @param code 1013 or 1008
         * @return this builder
         */
        public Builder overflowCloseCode(int code) {
            if (code != CloseCode.TRY_AGAIN_LATER && code != CloseCode.POLICY_VIOLATION) {
                throw new IllegalArgumentException("overflowCloseCode must be 1013 or 1008 but was " + code);
            }
            this.overflowCloseCode = code;
            return this;
        }

        /**
         * A per-connection inbound token bucket, checked by {@link ClusterSession#tryAcquire()}: a
         * connection starts with {@code burst} tokens, refilled at {@code perSecond}. Default: none.
         *
         * @param perSecond tokens per second, &gt; 0
         * @param burst     bucket size, &gt;= 1
         * @return this builder
         */
        public Builder rateLimit(double perSecond, int burst) {
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("rateLimit perSecond must be > 0 but was " + perSecond);
            }
            if (burst < 1) {
                throw new IllegalArgumentException("rateLimit burst must be >= 1 but was " + burst);
            }
            this.rateLimitPerSecond = perSecond;
            this.rateLimitBurst = burst;
            return this;
        }

        /**
         * Called (on the caller's thread) when {@link ClusterSession#tryAcquire()} finds no token, so the
         * application can answer the client (the chat example sends {@code rate_limited}).
         *
         * @param callback the callback
         * @return this builder
         */
        public Builder onRateLimited(Consumer<ClusterSession> callback) {
            this.onRateLimited = Objects.requireNonNull(callback, "callback");
            return this;
        }

        /**
         * How long a drain waits for sessions to close before deregistering them anyway (default 5 s).
         *
         * @param timeout &gt; 0
         * @return this builder
         */
        public Builder drainTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("drainTimeout must be > 0 but was " + timeout);
            }
            this.drainTimeout = timeout;
            return this;
        }

        /**
         * Drains the server from a JVM shutdown hook (SIGTERM) (default false).
         *
         * @param enabled true to install the hook at start
         * @return this builder
         */
        public Builder shutdownHook(boolean enabled) {
            this.shutdownHook = enabled;
            return this;
        }

        /**
         * Installs Tyrus's cluster SPI so that the plain Tyrus API ({@code TyrusSession.getRemoteSessions()},
         * {@code getAllSessions()}, {@code broadcast}, sends to and {@code close()} of remote sessions) spans
         * the cluster. Give it a {@link TyrusClusterContext#create()}: the server binds it to its cluster at
         * start, registers every session of every endpoint (not only {@link Clustered} ones) under its Tyrus
         * id, and delivers what other nodes send through its outbound queues. Any other
         * {@code ClusterContext} is handed to Tyrus as it is. Either way {@link WsServer#drain()} calls its
         * {@code shutdown()}, as Tyrus never does.
         *
         * <pre>{@code
         * WsServer.builder().cluster(cluster)
         *         .tyrusClusterContext(TyrusClusterContext.create())
         *         .endpoint(PlainEndpoint.class)
         *         .build().start();
         * }</pre>
         *
         * @param context the context, one per server
         * @return this builder
         * @throws IllegalArgumentException if it is a standalone {@link TyrusClusterContext#attach context}
         */
        public Builder tyrusClusterContext(ClusterContext context) {
            Objects.requireNonNull(context, "context");
            if (this.tyrusClusterContext != null) {
                throw new IllegalStateException("tyrusClusterContext is already set");
            }
            if (context instanceof TyrusClusterContext t && t.adapter().mode() != TyrusClusterAdapter.Mode.SERVER) {
                throw new IllegalArgumentException("tyrusClusterContext must come from TyrusClusterContext.create(), but this"
                        + " one was made by TyrusClusterContext.attach(cluster) and is attached already");
            }
            this.tyrusClusterContext = context;
            return this;
        }

        /**
         * Validates and builds the server; call {@link WsServer#start()} on it.
         *
         * @return the server
         * @throws IllegalStateException if no cluster or no endpoint is set
         */
        public WsServer build() {
            if (cluster == null) {
                throw new IllegalStateException("cluster is required: call cluster(...)");
            }
            if (annotated.isEmpty() && programmatic.isEmpty()) {
                throw new IllegalStateException("no endpoint: call endpoint(...) at least once");
            }
            Settings settings = new Settings(host, port, cluster, closeClusterOnDrain, authenticator, userResolver, roomResolver,
                    Set.copyOf(allowedOrigins), maxConnections, retryAfter, maxTextMessageBytes,
                    maxBinaryMessageBytes, idleTimeout, maxQueuedMessages, maxQueuedBytes, socketSendBufferBytes, overflowPolicy,
                    overflowCloseCode, rateLimitPerSecond, rateLimitBurst, onRateLimited, drainTimeout);
            SessionRegistrar registrar = SessionRegistrar.plain();
            if (tyrusClusterContext instanceof TyrusClusterContext t) {
                if (!t.claim()) {
                    throw new IllegalStateException("tyrusClusterContext is already used by another WsServer;"
                            + " give each server its own TyrusClusterContext.create()");
                }
                registrar = t.adapter().registrar();
            }
            return new WsServer(this, settings, registrar);
        }
    }
}
