package io.wscluster;

/**
 * What a send reached: the number of sessions targeted and the number of nodes they sit on.
 *
 * <p>"Nobody there" is a normal result ({@link #NOBODY}), not an exception: an application reads
 * {@link #reachedAnyone()} to fall back to another channel, for example a push notification for a
 * user who is offline.
 *
 * @param sessions sessions the message was handed to for writing
 * @param nodes    nodes those sessions sit on
 * @since 0.1.0
 */
public record Delivery(int sessions, int nodes) {

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
    }

    /** @return true if at least one session was targeted */
    public boolean reachedAnyone() {
        return sessions > 0;
    }

    /**
     * Adds two results (sessions and nodes are summed; the nodes are assumed distinct).
     *
     * @param other another result
     * @return the sum
     */
    public Delivery plus(Delivery other) {
        return new Delivery(sessions + other.sessions, nodes + other.nodes);
    }
}
