package io.wscluster;

import java.util.Objects;
import java.util.Optional;

/**
 * What a send reached: the number of sessions targeted and the number of nodes they sit on, and for
 * a message to a history room the position it got.
 *
 * <p>"Nobody there" is a normal result ({@link #NOBODY}), not an exception: an application reads
 * {@link #reachedAnyone()} to fall back to another channel, for example a push notification for a
 * user who is offline.
 *
 * @param sessions sessions the message was handed to for writing
 * @param nodes    nodes those sessions sit on
 * @param position for a message to a history room, the offset and epoch the room's sequencer gave it
 *                 (since 0.2.0); empty otherwise
 * @since 0.1.0
 */
public record Delivery(int sessions, int nodes, Optional<Position> position) {

    /** Nothing was targeted. */
    public static final Delivery NOBODY = new Delivery(0, 0);

    /**
     * Creates a result.
     *
     * @throws IllegalArgumentException if a count is negative
     */
    public Delivery {
        if (sessions < 0 || nodes < 0) {
            throw new IllegalArgumentException("counts must be >= 0 but were sessions=" + sessions + ", nodes=" + nodes);
        }
        Objects.requireNonNull(position, "position");
    }

    /**
     * Creates a result without a position.
     *
     * @param sessions sessions targeted
     * @param nodes    nodes they sit on
     */
    public Delivery(int sessions, int nodes) {
        this(sessions, nodes, Optional.empty());
    }

    /**
     * The same counts with the position a history room's sequencer gave the message.
     *
     * @param position the message's position
     * @return a new result
     * @since 0.2.0
     */
    public Delivery at(Position position) {
        return new Delivery(sessions, nodes, Optional.of(position));
    }

    /** @return true if at least one session was targeted */
    public boolean reachedAnyone() {
        return sessions > 0;
    }

    /**
     * Adds two results (sessions and nodes are summed; the nodes are assumed distinct; the position is
     * this one's, else the other's).
     *
     * @param other another result
     * @return the sum
     */
    public Delivery plus(Delivery other) {
        return new Delivery(sessions + other.sessions, nodes + other.nodes, position.or(() -> other.position));
    }
}
