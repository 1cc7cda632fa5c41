package io.wscluster.tyrus.internal;

import io.wscluster.Cluster;
import io.wscluster.ClusterSession;
import io.wscluster.tyrus.AdmissionSettings;
import io.wscluster.tyrus.Authenticator;
import io.wscluster.tyrus.IdentityVerifier;
import io.wscluster.tyrus.InboundSettings;
import io.wscluster.tyrus.OutboundSettings;
import io.wscluster.tyrus.RoomResolver;
import io.wscluster.tyrus.UserResolver;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The validated, immutable settings of one server, as built by {@code WsServerBuilder}: the server's own
 * and its three groups (admission, inbound, outbound). {@code identityVerifier} is null when the server
 * has none; then {@code userResolver} names the users.
 */
public record Settings(
        String host,
        int port,
        Cluster cluster,
        boolean closeClusterOnDrain,
        Authenticator authenticator,
        IdentityVerifier identityVerifier,
        UserResolver userResolver,
        RoomResolver roomResolver,
        AdmissionSettings admission,
        InboundSettings inbound,
        OutboundSettings outbound,
        Consumer<ClusterSession> onRateLimited,
        Duration drainTimeout) {
}
