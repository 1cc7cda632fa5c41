package io.wscluster.tyrus;

import io.wscluster.annotation.Clustered;

import io.wscluster.Cluster;
import io.wscluster.Message;
import io.wscluster.tyrus.internal.SessionRegistrar;
import io.wscluster.tyrus.internal.tyruscluster.TyrusClusterAdapter;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import org.glassfish.tyrus.core.cluster.BroadcastListener;
import org.glassfish.tyrus.core.cluster.ClusterContext;
import org.glassfish.tyrus.core.cluster.RemoteSession;
import org.glassfish.tyrus.core.cluster.SessionEventListener;
import org.glassfish.tyrus.core.cluster.SessionListener;
import org.glassfish.tyrus.core.monitoring.ApplicationEventListener;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tyrus's cluster SPI ({@link ClusterContext}) on the wscluster API: an unmodified Tyrus
 * application, with plain {@code @ServerEndpoint} classes, sees the whole cluster through Tyrus's own
 * API. {@code TyrusSession.getRemoteSessions()} and {@code getAllSessions()} list sessions on other
 * nodes as Tyrus {@link RemoteSession}s; sends to them (basic, async with a {@code Future} or a
 * {@code SendHandler}, partial), {@code close()} and {@code isOpen()} work across nodes; and
 * {@code TyrusSession.broadcast(...)} reaches every session of the endpoint on every node once.
 *
 * <p>With a {@link WsServer} (recommended):
 * <pre>{@code
 * WsServer server = WsServer.builder()
 *         .cluster(cluster)
 *         .tyrusClusterContext(TyrusClusterContext.create())
 *         .endpoint(ChatEndpoint.class)          // a plain @ServerEndpoint
 *         .build()
 *         .start();
 * }</pre>
 * The server binds the context to its node, registers every session it opens (on every endpoint,
 * {@code @Clustered} or not) under its Tyrus id right before the endpoint's {@code @OnOpen}, delivers
 * what other nodes send through its bounded outbound queues, and shuts the context down when it
 * drains. Standalone, with a Tyrus server of one's own, see {@link #attach(Cluster)}.
 *
 * <p>How the SPI maps onto the API:
 * <ul>
 * <li>session ids are wscluster {@code SessionId}s ({@code SessionHost.newId()}), so a send goes to the
 * owning node in one hop; a session is registered with {@code SessionHost.open(id, path, user,
 * attributes)} once Tyrus admitted it, and deregistered with {@code SessionHost.closed} exactly once;
 * its user is what the server's {@link UserResolver} found (with a {@link WsServer}) or the handshake
 * principal's name when it is a valid user name (standalone);</li>
 * <li>the distributed session properties (request URI, query string, parameters, path parameters,
 * subprotocol, extensions, secure flag, idle timeout, buffer sizes, principal name, connection id)
 * are the session's registered attributes ({@code tyrus.requestURI}, ...), explicitly encoded, written
 * through with {@code updateAttributes}; another node reads them from the opened event and
 * re-reads the registry when they are more than a second old;</li>
 * <li>sends are {@code Target.session} messages; the returned future completes when the owning node
 * has handed the message to the session's outbound queue (where the server's slow-consumer policy
 * applies; not when the client read it), and fails with an {@code IOException} when the session is
 * not open; per-session order is kept for sends from one thread; broadcasts are {@code Target.endpoint(path)}
 * messages, written once to each session of the path on every node, the sender's included;</li>
 * <li>{@code close} is {@code Cluster.disconnect}; {@code isOpen()} of a remote session answers from the
 * session events this node has seen (no network call per call);</li>
 * <li>remote sessions come from the cluster's session events, filtered by endpoint path, without
 * this node's own; a node that starts later finds those already open through a room per endpoint
 * path that every session joins ({@code tyrus.} and a hash of the path: a reserved room name).</li>
 * </ul>
 *
 * <p>What does not cross nodes, and why:
 * <ul>
 * <li>ping and pong frames to a remote session: the API carries text and binary messages only; they
 * are ignored (logged at debug once);</li>
 * <li>partial messages travel whole: parts are reassembled on the sending node (up to
 * {@value TyrusClusterAdapter#MAX_PARTIAL_MESSAGE_SIZE} characters or bytes) and the last part sends
 * the message, which the client receives in one frame;</li>
 * <li>the distributed user properties ({@code getDistributedProperties()}) stay on each node: the API
 * stores small strings per session, not arbitrary objects per connection. On the owning node they are
 * the session's; on another node a {@code RemoteSession}'s map is that node's own. They live as long
 * as the session. A client's {@code tyrus-cluster-connection-id} header is not trusted: a session that
 * brings an id this node did not mint gets fresh properties, so resuming them after a reconnect is
 * not supported;</li>
 * <li>{@code sendObject} to a remote session is encoded on the sending node with that node's
 * encoders (Tyrus's own behaviour).</li>
 * </ul>
 *
 * <p>Tyrus never calls {@link #shutdown()}: {@link WsServer#drain()} does; in standalone mode, call it
 * after stopping the Tyrus server. Thread-safe.
 *
 * @since 0.1.0
 */
public final class TyrusClusterContext extends ClusterContext {

    private final TyrusClusterAdapter adapter;
    private final AtomicBoolean claimed = new AtomicBoolean();

    private TyrusClusterContext(TyrusClusterAdapter adapter) {
        this.adapter = adapter;
    }

    /**
     * A context for a {@link WsServer}: give it to {@link WsServerBuilder#tyrusClusterContext}; the
     * server binds it to its cluster when it starts and shuts it down when it drains. One context per
     * server.
     *
     * @return a new, unbound context
     */
    public static TyrusClusterContext create() {
        return create(TyrusClusterAdapter.Timings.DEFAULT);
    }

    /**
     * A context for a Tyrus server of one's own (standalone mode): attaches to the cluster now, as this
     * node's one server ({@link Cluster#attachServer}), and writes what other nodes send through
     * Tyrus's session event listeners, serially per session on a small pool of threads, through a
     * bounded queue per session with a server's default bounds
     * ({@value OutboundSettings#DEFAULT_MAX_QUEUED_MESSAGES} messages, {@value OutboundSettings#DEFAULT_MAX_QUEUED_BYTES}
     * bytes; more are dropped and counted, as {@link OverflowPolicy#DROP_NEWEST}). Start the Tyrus server with {@link #serverProperties()} after this, and call
     * {@link #shutdown()} after stopping it; the cluster stays the caller's to close.
     *
     * @param cluster the node's cluster, with no server attached yet
     * @return the attached context
     * @throws io.wscluster.ClusterException if a server is already attached to the node
     */
    public static TyrusClusterContext attach(Cluster cluster) {
        return attach(cluster, TyrusClusterAdapter.Timings.DEFAULT);
    }

    static TyrusClusterContext attach(Cluster cluster, TyrusClusterAdapter.Timings timings) {
        Objects.requireNonNull(cluster, "cluster");
        TyrusClusterContext context = new TyrusClusterContext(new TyrusClusterAdapter(TyrusClusterAdapter.Mode.STANDALONE, timings));
        context.adapter.attach(cluster);
        return context;
    }

    static TyrusClusterContext create(TyrusClusterAdapter.Timings timings) {
        return new TyrusClusterContext(new TyrusClusterAdapter(TyrusClusterAdapter.Mode.SERVER, timings));
    }

    /**
     * The properties to give Tyrus's server container in standalone mode: this context under
     * {@link ClusterContext#CLUSTER_CONTEXT} and, under
     * {@link ApplicationEventListener#APPLICATION_EVENT_LISTENER}, a monitoring hook that lets the
     * context register a session only once Tyrus admitted it (a session Tyrus refuses after creating
     * it, at its session limits or when the endpoint cannot be instantiated, would otherwise stay
     * registered). Replaces any other application event listener.
     *
     * @return an immutable map
     * @throws IllegalStateException if this context was made for a {@link WsServer}
     */
    public Map<String, Object> serverProperties() {
        if (adapter.mode() != TyrusClusterAdapter.Mode.STANDALONE) {
            throw new IllegalStateException("serverProperties() is for a context made by TyrusClusterContext.attach(cluster);"
                    + " a WsServer installs its context itself");
        }
        return Map.of(CLUSTER_CONTEXT, this, ApplicationEventListener.APPLICATION_EVENT_LISTENER, adapter.monitor());
    }

    /** @return the machinery, for the server that binds this context */
    TyrusClusterAdapter adapter() {
        return adapter;
    }

    /** @return true if this context was made by {@link #create()}, for a server */
    boolean forServer() {
        return adapter.mode() == TyrusClusterAdapter.Mode.SERVER;
    }

    /**
     * Claims this context for the one server it serves.
     *
     * @return how that server registers its sessions
     * @throws IllegalStateException if another server claimed it already
     */
    SessionRegistrar claim() {
        if (!forServer() || !claimed.compareAndSet(false, true)) {
            throw new IllegalStateException("tyrusClusterContext is already used by another WsServer;"
                    + " give each server its own TyrusClusterContext.create()");
        }
        return adapter.registrar();
    }

    @Override
    public Future<Void> sendText(String sessionId, String text) {
        return adapter.send(sessionId, Message.text(Objects.requireNonNull(text, "text")));
    }

    @Override
    public Future<Void> sendText(String sessionId, String text, boolean isLast) {
        return adapter.sendPartialText(sessionId, text, isLast);
    }

    @Override
    public Future<Void> sendBinary(String sessionId, byte[] data) {
        return adapter.send(sessionId, Message.binary(Objects.requireNonNull(data, "data")));
    }

    @Override
    public Future<Void> sendBinary(String sessionId, byte[] data, boolean isLast) {
        return adapter.sendPartialBinary(sessionId, data, isLast);
    }

    /** Not carried across nodes: ignored (see the class notes). */
    @Override
    public Future<Void> sendPing(String sessionId, byte[] data) {
        return adapter.controlFrame(sessionId, "ping");
    }

    /** Not carried across nodes: ignored (see the class notes). */
    @Override
    public Future<Void> sendPong(String sessionId, byte[] data) {
        return adapter.controlFrame(sessionId, "pong");
    }

    @Override
    public void sendText(String sessionId, String text, SendHandler sendHandler) {
        adapter.send(sessionId, Message.text(Objects.requireNonNull(text, "text")), sendHandler);
    }

    @Override
    public void sendBinary(String sessionId, byte[] data, SendHandler sendHandler) {
        adapter.send(sessionId, Message.binary(Objects.requireNonNull(data, "data")), sendHandler);
    }

    @Override
    public void broadcastText(String endpointPath, String text) {
        adapter.broadcast(endpointPath, Message.text(text));
    }

    @Override
    public void broadcastBinary(String endpointPath, byte[] data) {
        adapter.broadcast(endpointPath, Message.binary(data));
    }

    @Override
    public boolean isSessionOpen(String sessionId, String endpointPath) {
        return adapter.isSessionOpen(sessionId, endpointPath);
    }

    @Override
    public Future<Void> close(String sessionId) {
        return adapter.close(sessionId, null);
    }

    /**
     * Closes a session anywhere. Codes the protocol reserves (1005, 1006, 1015) become 1000; the
     * reason is cut to 123 bytes.
     */
    @Override
    public Future<Void> close(String sessionId, CloseReason closeReason) {
        return adapter.close(sessionId, closeReason);
    }

    @Override
    public Set<String> getRemoteSessionIds(String endpointPath) {
        return adapter.getRemoteSessionIds(endpointPath);
    }

    @Override
    public String createSessionId() {
        return adapter.createSessionId();
    }

    @Override
    public String createConnectionId() {
        return adapter.createConnectionId();
    }

    @Override
    public void registerSession(String sessionId, String endpointPath, SessionEventListener listener) {
        adapter.registerSession(sessionId, endpointPath, listener);
    }

    @Override
    public void registerSessionListener(String endpointPath, SessionListener listener) {
        adapter.registerSessionListener(endpointPath, listener);
    }

    /** Kept but not called: broadcasts are written per session (see the class notes). */
    @Override
    public void registerBroadcastListener(String endpointPath, BroadcastListener listener) {
        adapter.registerBroadcastListener(endpointPath, listener);
    }

    @Override
    public Map<RemoteSession.DistributedMapKey, Object> getDistributedSessionProperties(String sessionId) {
        return adapter.getDistributedSessionProperties(sessionId);
    }

    /** This node's map for the connection (see the class notes). */
    @Override
    public Map<String, Object> getDistributedUserProperties(String connectionId) {
        return adapter.getDistributedUserProperties(connectionId);
    }

    /** Does nothing: a connection's user properties are dropped when its session closes (see the class notes). */
    @Override
    public void destroyDistributedUserProperties(String connectionId) {
        // lifetime follows the session; see UserProperties
    }

    @Override
    public void removeSession(String sessionId, String endpointPath) {
        adapter.closed(sessionId);
    }

    /**
     * Deregisters the local sessions still registered, stops listening to the cluster and stops this
     * context's threads; further calls fail or answer "not open". The cluster is not closed. Idempotent.
     */
    @Override
    public void shutdown() {
        adapter.shutdown();
    }

    @Override
    public String toString() {
        return "TyrusClusterContext{" + adapter.mode() + (adapter.isShutdown() ? ", shut down" : "") + '}';
    }
}
