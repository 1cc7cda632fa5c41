package io.wscluster.tyrus;

import jakarta.websocket.server.HandshakeRequest;

/**
 * Decides whether a WebSocket handshake may upgrade. Runs before the upgrade, on a server I/O
 * worker thread: keep it fast (no blocking network calls) or the node stops accepting.
 *
 * <p>Returning false refuses the handshake with 403; throwing {@link HandshakeRejection} refuses it
 * with another 4xx status. Either way no session is created and {@code @OnOpen} never runs. Any
 * other exception refuses with 403 and is logged.
 *
 * <p>An authenticator says yes or no; to prove who the user is (a signed token, say) and make that the
 * session's user, use an {@link IdentityVerifier} instead ({@code wscluster-jwt} has one for JWTs).
 *
 * <pre>{@code
 * Authenticator auth = request -> "secret".equals(request.getHeaders().getOrDefault("X-Token", List.of()).stream().findFirst().orElse(null));
 * }</pre>
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Authenticator {

    /** Lets every handshake through. */
    Authenticator ALLOW_ALL = request -> true;

    /**
     * Checks a handshake.
     *
     * @param request the handshake request: headers, query parameters, principal, URI
     * @return true to let it upgrade, false to refuse it with 403
     * @throws HandshakeRejection to refuse it with another 4xx status
     */
    boolean authenticate(HandshakeRequest request);
}
