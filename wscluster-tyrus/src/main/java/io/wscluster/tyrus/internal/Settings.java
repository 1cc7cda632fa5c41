package io.wscluster.tyrus.internal;

import io.wscluster.Cluster;
import io.wscluster.ClusterSession;
import io.wscluster.tyrus.Authenticator;
import io.wscluster.tyrus.OverflowPolicy;
import io.wscluster.tyrus.RoomResolver;
import io.wscluster.tyrus.UserResolver;

import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The validated, immutable settings of one server, as built by {@code WsServer.Builder}.
 *
 * @param allowedOrigins lower-cased origins; empty means any origin
 * @param socketSendBufferBytes SO_SNDBUF of accepted connections; 0 leaves the system default
 */
public record Settings(
        String host,
        int port,
        Cluster cluster,
        boolean closeClusterOnDrain,
        Authenticator authenticator,
        UserResolver userResolver,
        RoomResolver roomResolver,
        Set<String> allowedOrigins,
        int maxConnections,
        Duration retryAfter,
        int maxTextMessageBytes,
        int maxBinaryMessageBytes,
        Duration idleTimeout,
        int maxQueuedMessages,
        long maxQueuedBytes,
        int socketSendBufferBytes,
        OverflowPolicy overflowPolicy,
        int overflowCloseCode,
        double rateLimitPerSecond,
        int rateLimitBurst,
        Consumer<ClusterSession> onRateLimited,
        Duration drainTimeout) {
}
