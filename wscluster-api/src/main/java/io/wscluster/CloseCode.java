package io.wscluster;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A WebSocket close code with its reason, for disconnecting a session.
 *
 * @param code   1000..4999, not one of the codes reserved for the protocol (1004, 1005, 1006, 1015)
 * @param reason at most 123 bytes of UTF-8, may be empty
 * @since 0.1.0
 */
public record CloseCode(int code, String reason) {

    /** 1000: normal closure. */
    public static final int NORMAL = 1000;
    /** 1001: the endpoint is going away (a draining node). */
    public static final int GOING_AWAY = 1001;
    /** 1008: policy violation. */
    public static final int POLICY_VIOLATION = 1008;
    /**
     * 1012: the service restarts; reconnect (a node that was cut off or paused closes its sessions
     * with it before it re-enters the cluster).
     *
     * @since 0.2.0
     */
    public static final int SERVICE_RESTART = 1012;
    /** 1013: try again later (a slow consumer, an overloaded node). */
    public static final int TRY_AGAIN_LATER = 1013;

    /**
     * Creates a close code.
     *
     * @throws IllegalArgumentException if the code or the reason break the rules above
     */
    public CloseCode {
        Objects.requireNonNull(reason, "reason");
        if (code < 1000 || code > 4999 || code == 1004 || code == 1005 || code == 1006 || code == 1015) {
            throw new IllegalArgumentException("close code must be 1000..4999 and not 1004/1005/1006/1015 but was " + code);
        }
        int bytes = reason.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > 123) {
            throw new IllegalArgumentException("close reason must be at most 123 bytes of UTF-8 but was " + bytes);
        }
    }

    /**
     * Shorthand for {@code new CloseCode(code, reason)}.
     *
     * @param code   the code
     * @param reason the reason
     * @return the close code
     */
    public static CloseCode of(int code, String reason) {
        return new CloseCode(code, reason);
    }
}
