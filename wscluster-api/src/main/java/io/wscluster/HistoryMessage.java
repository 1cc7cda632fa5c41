package io.wscluster;

import java.util.Objects;

/**
 * One message held in a room's history.
 *
 * @param position   its offset and epoch
 * @param message    the message as it was sent (not stamped)
 * @param sentMillis when the room's sequencer numbered it, in epoch milliseconds
 * @since 0.2.0
 */
public record HistoryMessage(Position position, Message message, long sentMillis) {

    /** Creates a history message. */
    public HistoryMessage {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(message, "message");
    }
}
