package io.wscluster.tyrus;

import jakarta.websocket.server.HandshakeRequest;

/**
 * Proves who opens a WebSocket handshake, for example by verifying a signed token, and names the user
 * the session then belongs to. Runs on every handshake of every endpoint, before the upgrade and after
 * the {@link Authenticator}, on a server I/O worker thread: keep it fast (no blocking network calls).
 *
 * <p>The name it returns is the session's user: it is registered with the session in the cluster, so
 * {@code Target.user(...)} reaches the session and presence counts it. It replaces a
 * {@link UserResolver}: a server has one or the other, never both, so that no query parameter or header
 * can name a user the verifier did not prove. Throw {@link HandshakeRejection} to refuse the handshake
 * (403 is the usual status); returning null or a name that is not a valid user name
 * ({@link io.wscluster.Names#isValidUser}) refuses it with 403. Either way no session is created and
 * {@code @OnOpen} never runs.
 *
 * <p>{@code wscluster-jwt}'s {@code JwtVerifier} is one, for JSON Web Tokens:
 * <pre>{@code
 * WsServer.builder().identityVerifier(JwtVerifier.builder().hmacSecret(secret).audience("chat").build());
 * }</pre>
 *
 * @since 0.2.0
 */
@FunctionalInterface
public interface IdentityVerifier {

    /**
     * Verifies a handshake's credentials.
     *
     * @param request the handshake request: headers, query parameters, URI
     * @return the verified user name
     * @throws HandshakeRejection to refuse the handshake
     */
    String verify(HandshakeRequest request);
}
