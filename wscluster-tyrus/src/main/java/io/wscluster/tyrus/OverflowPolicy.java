package io.wscluster.tyrus;

/**
 * What happens to a session whose outbound queue is full (a slow or stalled consumer).
 *
 * <p>Either way the event is counted ({@link ServerStats#droppedMessages()},
 * {@link ServerStats#slowConsumerCloses()}) and logged at warn once per session, then at debug.
 *
 * @since 0.1.0
 */
public enum OverflowPolicy {
    /** Drop the message that did not fit; the session stays open and keeps its queue. */
    DROP_NEWEST,
    /** Close the session with the configured close code (1013 by default, or 1008) and drop its queue. */
    CLOSE
}
