package io.wscluster.tyrus;

/**
 * Counters of one {@link WsServer}, a snapshot. Counts are totals since the server started.
 *
 * @param localSessions       WebSocket sessions open on this server now (clustered or not)
 * @param queuedMessages      messages now waiting in outbound queues, all sessions together
 * @param sentMessages        messages written to clustered sessions by local delivery
 * @param droppedMessages     messages dropped because a session's outbound queue was full
 *                            ({@link OverflowPolicy#DROP_NEWEST}) or the session closed first
 * @param slowConsumerCloses  sessions closed because their outbound queue was full ({@link OverflowPolicy#CLOSE})
 * @param refusedOverCapacity handshakes refused with 503 because the connection cap was reached
 * @param refusedDraining     handshakes refused with 503 because the server was starting or draining
 * @param refusedHandshakes   handshakes refused with 4xx by the origin check, authenticator or user resolver
 * @param oversizedMessages   connections closed with 1009 because a client message exceeded the size limit
 * @since 0.1.0
 */
public record ServerStats(int localSessions, long queuedMessages, long sentMessages, long droppedMessages,
                          long slowConsumerCloses, long refusedOverCapacity, long refusedDraining,
                          long refusedHandshakes, long oversizedMessages) {
}
