package io.wscluster.examples.chat;

import io.wscluster.Cluster;
import io.wscluster.HistorySettings;
import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.jwt.JwtVerifier;
import io.wscluster.jwt.JwtVerifierBuilder;
import io.wscluster.tyrus.UserResolver;
import io.wscluster.tyrus.WsServer;
import io.wscluster.tyrus.WsServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One chat node: a cluster member and a WebSocket server with the chat endpoint, {@code /health} and
 * the browser page, configured from {@link ChatOptions}. Used by {@link ChatMain} and by tests.
 */
public final class ChatNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChatNode.class);
    /** Longest time Hazelcast may spend handing partitions over when this node leaves. */
    private static final long LEAVE_MIGRATION_SECONDS = 3;

    private final HazelcastCluster cluster;
    private final WsServer server;
    private final AuthPage page;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private ChatNode(HazelcastCluster cluster, WsServer server, AuthPage page) {
        this.cluster = cluster;
        this.server = server;
        this.page = page;
    }

    /**
     * Joins the cluster, then opens the port: a node accepts connections only once it is a member.
     *
     * @param options the node's options
     * @return the running node
     */
    public static ChatNode start(ChatOptions options) {
        HazelcastCluster.Builder clusterBuilder = HazelcastCluster.builder()
                .clusterName(options.clusterName)
                .bindAddress(options.clusterHost)
                .port(options.clusterPort)
                .members(options.members.toArray(String[]::new))
                .failureTimeout(Duration.ofMillis(options.failureTimeoutMs))
                // The node drains itself on SIGTERM; Hazelcast's own hook would race it.
                .property("hazelcast.shutdownhook.enabled", "false")
                .property("hazelcast.graceful.shutdown.max.wait", Long.toString(LEAVE_MIGRATION_SECONDS));
        if (options.clusterSecret() != null) {
            clusterBuilder.clusterSecret(options.clusterSecret());
        } else {
            LOG.info("No --cluster-secret: cluster messages are not authenticated; the cluster port ({}) stays on loopback",
                    options.clusterHost);
        }
        clusterBuilder.history(history(options));
        if (options.members.isEmpty()) {
            LOG.info("Cluster name {} (a lone node; give --cluster-name and --members to form a cluster)", options.clusterName);
        }
        HazelcastCluster cluster = clusterBuilder.build();
        byte[] secret = options.authSecret();
        AuthPage page = null;
        try {
            page = AuthPage.create(secret != null);
            WsServerBuilder serverBuilder = WsServer.builder()
                    .host(options.host)
                    .port(options.port)
                    .cluster(cluster)
                    .endpoint(ChatEndpoint.config(options.maxMessageBytes))
                    .maxConnections(options.maxConnections)
                    .maxConnectionsPerAddress(options.maxConnectionsPerAddress)
                    .handshakeTimeout(Duration.ofMillis(options.handshakeTimeoutMs))
                    .trustedProxies(options.trustedProxies.toArray(String[]::new))
                    .silenceTimeout(Duration.ofMillis(options.silenceTimeoutMs))
                    .maxTextMessageBytes(options.maxMessageBytes)
                    .maxBinaryMessageBytes(options.maxMessageBytes)
                    .maxQueuedMessages(options.maxQueuedMessages)
                    .maxQueuedBytes(options.maxQueuedBytes)
                    .socketSendBufferBytes(options.socketSendBuffer)
                    .overflowPolicy(options.overflowPolicy)
                    .drainTimeout(Duration.ofMillis(options.drainTimeoutMs))
                    .staticResources(page.loader(), "web/");
            if (secret != null) {
                JwtVerifierBuilder jwt = JwtVerifier.builder().hmacSecret(secret).userParameter("user");
                if (options.authAudience != null) {
                    jwt.audience(options.authAudience);
                }
                serverBuilder.identityVerifier(jwt.build());
                LOG.info("Authentication: every handshake needs a JWT (HS256, access_token parameter or Authorization: Bearer);"
                        + " the user is its sub{}", options.authAudience == null ? "" : ", aud must contain '" + options.authAudience + "'");
            } else {
                serverBuilder.userResolver(UserResolver.requiredQueryParam("user"));
                LOG.warn("DEMO MODE: no --auth-secret, so the user is whatever ?user= says and anyone may connect as anyone."
                        + " Start the node with --auth-secret-file to require tokens.");
            }
            if (!options.allowedOrigins.isEmpty()) {
                serverBuilder.allowedOrigins(options.allowedOrigins.toArray(String[]::new));
                LOG.info("Allowed origins: {}", options.allowedOrigins);
            }
            if (options.rateLimit > 0) {
                serverBuilder.rateLimit(options.rateLimit, options.rateBurst)
                        .onRateLimited(ChatEndpoint::rateLimited);
            }
            return new ChatNode(cluster, serverBuilder.build().start(), page);
        } catch (RuntimeException | Error e) {
            if (page != null) {
                page.close();
            }
            cluster.close();
            throw e;
        }
    }

    /**
     * Every room keeps the last {@code --history-size} messages for {@code --history-ttl-ms}, stamped with
     * their offset and epoch; {@code --history-size 0}: no room keeps any, and frames carry no position.
     */
    static HistorySettings history(ChatOptions options) {
        if (options.historySize == 0) {
            LOG.info("Room history off (--history-size 0): no offsets, epochs or resume");
            return HistorySettings.none();
        }
        return HistorySettings.builder()
                .keep("*", options.historySize, Duration.ofMillis(options.historyTtlMs))
                .stamp(Frames::stamp)
                .build();
    }

    /** @return the bound WebSocket and HTTP port */
    public int port() {
        return server.port();
    }

    /** @return this node's cluster handle */
    public Cluster cluster() {
        return cluster;
    }

    /** @return this node's WebSocket server */
    public WsServer server() {
        return server;
    }

    /**
     * Drains the node: refuses new connections, closes every connection with 1001, removes its sessions
     * from the cluster and leaves it. Idempotent; concurrent callers wait for the first.
     *
     * @return true if every connection closed within the drain timeout
     */
    public boolean drain() {
        try {
            boolean clean = server.drain();
            LOG.info("Node {} drained{}", cluster.localNode(), clean ? "" : " (some clients did not answer the close in time)");
            return clean;
        } finally {
            page.close();
            stopped.countDown();
        }
    }

    /**
     * Waits until the node has drained.
     *
     * @throws InterruptedException if interrupted
     */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Waits until the node has drained, at most a while.
     *
     * @param timeout the longest wait
     * @return true if it drained
     * @throws InterruptedException if interrupted
     */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops at once, as a crash would: the other nodes clean up after it (tests and failure drills). */
    public void crash() {
        try {
            cluster.crash();
        } finally {
            server.drain();
            page.close();
            stopped.countDown();
        }
    }

    /** Same as {@link #drain()}. */
    @Override
    public void close() {
        drain();
    }
}
