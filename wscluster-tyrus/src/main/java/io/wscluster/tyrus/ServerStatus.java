package io.wscluster.tyrus;

/**
 * The life cycle of a {@link WsServer}.
 *
 * @since 0.1.0
 */
public enum ServerStatus {
    /** Built, or starting: not yet accepting WebSocket handshakes; {@code /health} answers 503. */
    STARTING,
    /** Accepting connections; {@code /health} answers 200. */
    RUNNING,
    /** Refusing new handshakes with 503, closing its sessions with 1001; {@code /health} answers 503. */
    DRAINING,
    /** Stopped: the port is closed. */
    STOPPED
}
