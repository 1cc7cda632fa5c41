package io.wscluster.tyrus;

import io.wscluster.Cluster;
import io.wscluster.ClusterSession;
import io.wscluster.annotation.Clustered;
import io.wscluster.tyrus.internal.ServerRuntime;
import io.wscluster.tyrus.internal.SessionRegistrar;
import io.wscluster.tyrus.internal.Settings;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.tyrus.core.cluster.ClusterContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Builds a {@link WsServer}; get one from {@link WsServer#builder()}. Each setter validates its argument
 * at once ({@link IllegalArgumentException} naming the field and value); {@link #build()} checks the
 * whole ({@link IllegalStateException}).
 *
 * <p>The limits come in three groups, each an immutable value with its defaults as {@code DEFAULT_*}
 * constants: {@link AdmissionSettings} (connections, origins), {@link InboundSettings} (message sizes,
 * idle timeout, rate limit) and {@link OutboundSettings} (queue bounds, overflow). Set a group whole
 * ({@link #admission}, {@link #inbound}, {@link #outbound}) or one field at a time with the setters of
 * the same name here; the last call wins for each field.
 *
 * @since 0.2.0 (before, the nested {@code WsServer.Builder}, with the same methods)
 */
public final class WsServerBuilder {

    private String host = WsServer.DEFAULT_HOST;
    private int port = WsServer.DEFAULT_PORT;
    private Cluster cluster;
    private boolean closeClusterOnDrain = true;
    private Authenticator authenticator = Authenticator.ALLOW_ALL;
    private UserResolver userResolver;
    private IdentityVerifier identityVerifier;
    private RoomResolver roomResolver = RoomResolver.none();
    private AdmissionSettings.Builder admission = AdmissionSettings.builder();
    private InboundSettings.Builder inbound = InboundSettings.builder();
    private OutboundSettings.Builder outbound = OutboundSettings.builder();
    private Consumer<ClusterSession> onRateLimited = s -> { };
    private Duration drainTimeout = WsServer.DEFAULT_DRAIN_TIMEOUT;
    private boolean shutdownHook;
    private final Deployment deployment = new Deployment();

    WsServerBuilder() {
    }

    /**
     * The interface to bind ({@code 127.0.0.1} by default). Use {@code 0.0.0.0} to accept
     * connections on every interface.
     *
     * @param host an address or host name
     * @return this builder
     */
    public WsServerBuilder host(String host) {
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
    public WsServerBuilder port(int port) {
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
    public WsServerBuilder cluster(Cluster cluster) {
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
    public WsServerBuilder closeClusterOnDrain(boolean close) {
        this.closeClusterOnDrain = close;
        return this;
    }

    /**
     * Deploys an annotated {@code @ServerEndpoint} class; add {@link Clustered} to cluster it.
     *
     * @param endpointClass the class
     * @return this builder
     */
    public WsServerBuilder endpoint(Class<?> endpointClass) {
        deployment.endpoint(endpointClass);
        return this;
    }

    /**
     * Deploys a programmatic endpoint; annotate its {@code Endpoint} subclass with {@link Clustered}
     * to cluster it.
     *
     * @param config the endpoint config
     * @return this builder
     */
    public WsServerBuilder endpoint(ServerEndpointConfig config) {
        deployment.endpoint(config);
        return this;
    }

    /**
     * Serves the files of a directory on every path not taken by an endpoint or {@code /health}.
     *
     * @param directory an existing directory
     * @return this builder
     */
    public WsServerBuilder staticResources(Path directory) {
        deployment.staticResources(directory);
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
    public WsServerBuilder staticResources(ClassLoader classLoader, String prefix) {
        deployment.staticResources(classLoader, prefix);
        return this;
    }

    /**
     * Checks each handshake before the upgrade (default: allow all).
     *
     * @param authenticator the check
     * @return this builder
     */
    public WsServerBuilder authenticator(Authenticator authenticator) {
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
    public WsServerBuilder userResolver(UserResolver userResolver) {
        this.userResolver = Objects.requireNonNull(userResolver, "userResolver");
        return this;
    }

    /**
     * Verifies who opens each handshake, on every endpoint, and makes the user it proves the session's
     * user (default: none). A server has an identity verifier or a {@link #userResolver user resolver},
     * not both, so that nothing but the verified credentials names a user.
     *
     * @param verifier the verifier, e.g. {@code wscluster-jwt}'s {@code JwtVerifier}
     * @return this builder
     * @see IdentityVerifier
     */
    public WsServerBuilder identityVerifier(IdentityVerifier verifier) {
        this.identityVerifier = Objects.requireNonNull(verifier, "verifier");
        return this;
    }

    /**
     * Finds the rooms each session of a clustered endpoint joins during its handshake, before its
     * client has the 101, in addition to the endpoint's {@code @Clustered(rooms)} and
     * {@code roomPathParam} (default: none). An invalid room name refuses the handshake with 400.
     *
     * @param roomResolver the resolver
     * @return this builder
     */
    public WsServerBuilder roomResolver(RoomResolver roomResolver) {
        this.roomResolver = Objects.requireNonNull(roomResolver, "roomResolver");
        return this;
    }

    /** Replaces every admission setting (connection cap, {@code Retry-After}, allowed origins) with these. */
    public WsServerBuilder admission(AdmissionSettings settings) {
        this.admission = Objects.requireNonNull(settings, "settings").toBuilder();
        return this;
    }

    /**
     * Adds allowed origins (default: any origin; exact match; {@code "null"} allows {@code Origin: null};
     * a handshake without {@code Origin} is allowed); see {@link AdmissionSettings.Builder#allowedOrigins}.
     */
    public WsServerBuilder allowedOrigins(String... origins) {
        admission.allowedOrigins(origins);
        return this;
    }

    /** Caps the connections this node holds (default 10,000); see {@link AdmissionSettings.Builder#maxConnections}. */
    public WsServerBuilder maxConnections(int maxConnections) {
        admission.maxConnections(maxConnections);
        return this;
    }

    /** The {@code Retry-After} of a 503 refusal (default 5 s); see {@link AdmissionSettings.Builder#retryAfter}. */
    public WsServerBuilder retryAfter(Duration retryAfter) {
        admission.retryAfter(retryAfter);
        return this;
    }

    /** Closes connections without a completed handshake after this long (default 10 s); see {@link AdmissionSettings.Builder#handshakeTimeout}. */
    public WsServerBuilder handshakeTimeout(Duration timeout) {
        admission.handshakeTimeout(timeout);
        return this;
    }

    /** Bounds the connections of one client address (default none); see {@link AdmissionSettings.Builder#maxConnectionsPerAddress}. */
    public WsServerBuilder maxConnectionsPerAddress(int max) {
        admission.maxConnectionsPerAddress(max);
        return this;
    }

    /** Believes these proxies' forwarded-for header (default none); see {@link AdmissionSettings.Builder#trustedProxies}. */
    public WsServerBuilder trustedProxies(String... addresses) {
        admission.trustedProxies(addresses);
        return this;
    }

    /** Replaces every inbound setting (message sizes, idle timeout, rate limit) with these. */
    public WsServerBuilder inbound(InboundSettings settings) {
        this.inbound = Objects.requireNonNull(settings, "settings").toBuilder();
        return this;
    }

    /** The largest text message from a client (default 64 KiB); see {@link InboundSettings.Builder#maxTextMessageBytes}. */
    public WsServerBuilder maxTextMessageBytes(int bytes) {
        inbound.maxTextMessageBytes(bytes);
        return this;
    }

    /** The largest binary message from a client (default 64 KiB); see {@link InboundSettings.Builder#maxBinaryMessageBytes}. */
    public WsServerBuilder maxBinaryMessageBytes(int bytes) {
        inbound.maxBinaryMessageBytes(bytes);
        return this;
    }

    /** Closes sessions silent for this long (default never); see {@link InboundSettings.Builder#idleTimeout}. */
    public WsServerBuilder idleTimeout(Duration idleTimeout) {
        inbound.idleTimeout(idleTimeout);
        return this;
    }

    /** Closes connections whose client sends nothing for this long (default never); see {@link InboundSettings.Builder#silenceTimeout}. */
    public WsServerBuilder silenceTimeout(Duration timeout) {
        inbound.silenceTimeout(timeout);
        return this;
    }

    /** A token bucket per connection (default none); see {@link InboundSettings.Builder#rateLimit}. */
    public WsServerBuilder rateLimit(double perSecond, int burst) {
        inbound.rateLimit(perSecond, burst);
        return this;
    }

    /**
     * Called (on the caller's thread) when {@link ClusterSession#tryAcquire()} finds no token, so the
     * application can answer the client (the chat example sends {@code rate_limited}).
     *
     * @param callback the callback
     * @return this builder
     */
    public WsServerBuilder onRateLimited(Consumer<ClusterSession> callback) {
        this.onRateLimited = Objects.requireNonNull(callback, "callback");
        return this;
    }

    /** Replaces every outbound setting (queue bounds, send buffer, overflow policy and code) with these. */
    public WsServerBuilder outbound(OutboundSettings settings) {
        this.outbound = Objects.requireNonNull(settings, "settings").toBuilder();
        return this;
    }

    /** Bounds each outbound queue in messages (default 1,024); see {@link OutboundSettings.Builder#maxQueuedMessages}. */
    public WsServerBuilder maxQueuedMessages(int messages) {
        outbound.maxQueuedMessages(messages);
        return this;
    }

    /** Bounds each outbound queue in bytes (default 4 MiB); see {@link OutboundSettings.Builder#maxQueuedBytes}. */
    public WsServerBuilder maxQueuedBytes(long bytes) {
        outbound.maxQueuedBytes(bytes);
        return this;
    }

    /** Each connection's {@code SO_SNDBUF} (default the system's); see {@link OutboundSettings.Builder#socketSendBufferBytes}. */
    public WsServerBuilder socketSendBufferBytes(int bytes) {
        outbound.socketSendBufferBytes(bytes);
        return this;
    }

    /** What a full outbound queue does (default close); see {@link OutboundSettings.Builder#overflowPolicy}. */
    public WsServerBuilder overflowPolicy(OverflowPolicy policy) {
        outbound.overflowPolicy(policy);
        return this;
    }

    /** The close code of {@link OverflowPolicy#CLOSE} (default 1013); see {@link OutboundSettings.Builder#overflowCloseCode}. */
    public WsServerBuilder overflowCloseCode(int code) {
        outbound.overflowCloseCode(code);
        return this;
    }

    /**
     * How long a drain waits for sessions to close before deregistering them anyway (default 5 s).
     *
     * @param timeout &gt; 0
     * @return this builder
     */
    public WsServerBuilder drainTimeout(Duration timeout) {
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
    public WsServerBuilder shutdownHook(boolean enabled) {
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
     * {@code shutdown()}, as Tyrus never does. {@link TyrusClusterContext} shows an example.
     *
     * @param context the context, one per server
     * @return this builder
     * @throws IllegalArgumentException if it is a standalone {@link TyrusClusterContext#attach context}
     */
    public WsServerBuilder tyrusClusterContext(ClusterContext context) {
        deployment.tyrusClusterContext(context);
        return this;
    }

    /**
     * Validates and builds the server; call {@link WsServer#start()} on it.
     *
     * @return the server
     * @throws IllegalStateException if no cluster or no endpoint is set, both an identity verifier and a user
     *                               resolver are set, or the {@link TyrusClusterContext} serves another server
     *                               already
     */
    public WsServer build() {
        if (cluster == null) {
            throw new IllegalStateException("cluster is required: call cluster(...)");
        }
        deployment.requireEndpoint();
        if (identityVerifier != null && userResolver != null) {
            throw new IllegalStateException("identityVerifier and userResolver are both set: the verifier names the user,"
                    + " so remove userResolver(...)");
        }
        UserResolver users = userResolver == null ? UserResolver.anonymous() : userResolver;
        Settings settings = new Settings(host, port, cluster, closeClusterOnDrain, authenticator, identityVerifier, users, roomResolver,
                admission.build(), inbound.build(), outbound.build(), onRateLimited, drainTimeout);
        SessionRegistrar registrar = deployment.claimRegistrar();
        ServerRuntime runtime = new ServerRuntime(settings, registrar);
        return new WsServer(runtime, deployment.lifecycle(runtime), shutdownHook);
    }
}
