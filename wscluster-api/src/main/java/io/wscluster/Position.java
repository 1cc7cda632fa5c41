package io.wscluster;

import java.util.Objects;

/**
 * A place in a history room's sequence: the offset of a message and the epoch of the sequence it
 * belongs to.
 *
 * <p>Offsets count a room's messages from 1 within an epoch, one more for each message, cluster-wide.
 * The epoch changes whenever the room's sequence restarts (its history expired or was lost with the
 * members that held it); offsets then start again at 1. A position with offset 0 names the start of
 * an epoch, before its first message. A client keeps the position of the last message it saw and
 * hands it back to resume ({@link Replay#since(Position)}).
 *
 * @param offset the message's offset, 0 for "before the first message"
 * @param epoch  the sequence's epoch: 1..64 characters
 * @since 0.2.0
 */
public record Position(long offset, String epoch) {

    /** Longest epoch accepted. */
    public static final int MAX_EPOCH_LENGTH = 64;

    /**
     * Creates a position.
     *
     * @throws IllegalArgumentException if the offset is negative or the epoch is empty or too long
     */
    public Position {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0 but was " + offset);
        }
        Objects.requireNonNull(epoch, "epoch");
        if (epoch.isEmpty() || epoch.length() > MAX_EPOCH_LENGTH) {
            throw new IllegalArgumentException("epoch must be 1.." + MAX_EPOCH_LENGTH + " characters but was "
                    + Names.quote(epoch));
        }
    }

    /**
     * The position right after this one in the same epoch.
     *
     * @return offset + 1, same epoch
     */
    public Position next() {
        return new Position(offset + 1, epoch);
    }
}
