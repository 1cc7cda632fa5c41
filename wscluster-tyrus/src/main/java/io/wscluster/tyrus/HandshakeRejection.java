package io.wscluster.tyrus;

/**
 * Thrown by an {@link Authenticator}, an {@link IdentityVerifier} or a {@link UserResolver} to refuse a
 * WebSocket handshake with an HTTP status, before the upgrade: no session is created and {@code @OnOpen} never runs.
 *
 * <p>The status must be a 4xx other than 401: Tyrus treats 401 (like 3xx and 503) as a successful
 * upgrade and would open the session anyway.
 *
 * @since 0.1.0
 */
public final class HandshakeRejection extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    private HandshakeRejection(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    /**
     * A refusal with a status and a reason (the reason is logged at debug, not sent to the client).
     *
     * @param status an HTTP status 400..499 other than 401
     * @param reason why, for the logs
     * @return the exception, to throw
     * @throws IllegalArgumentException if the status is not an accepted 4xx
     */
    public static HandshakeRejection of(int status, String reason) {
        if (status < 400 || status > 499 || status == 401) {
            throw new IllegalArgumentException(
                    "handshake rejection status must be 400..499 and not 401 (Tyrus upgrades on 401) but was " + status);
        }
        return new HandshakeRejection(status, reason == null ? "" : reason);
    }

    /**
     * 403 Forbidden.
     *
     * @param reason why, for the logs
     * @return the exception, to throw
     */
    public static HandshakeRejection forbidden(String reason) {
        return of(403, reason);
    }

    /**
     * 400 Bad Request.
     *
     * @param reason why, for the logs
     * @return the exception, to throw
     */
    public static HandshakeRejection badRequest(String reason) {
        return of(400, reason);
    }

    /** @return the HTTP status sent to the client */
    public int status() {
        return status;
    }
}
