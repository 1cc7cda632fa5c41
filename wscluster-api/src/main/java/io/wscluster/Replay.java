package io.wscluster;

import java.util.Objects;
import java.util.Optional;

/**
 * What a join to a history room replays before live messages: nothing, what the session missed
 * since a position, or the room's last messages.
 *
 * <p>Replayed messages reach the session before the join completes, in offset order, followed by
 * live messages without gap or duplicate. In a room without history, and for a session that is
 * already a member, nothing is replayed.
 *
 * <pre>{@code
 * cluster.rooms().join(session, "lobby", Replay.since(new Position(41, epoch)))
 *        .thenAccept(r -> { if (!r.recovered().orElse(true)) reload(); });
 * }</pre>
 *
 * @since 0.2.0
 */
public final class Replay {

    /** Most messages {@link #last(int)} replays. */
    public static final int MAX_LAST = 1000;

    private static final Replay NONE = new Replay(null, 0);

    private final Position since;
    private final int last;

    private Replay(Position since, int last) {
        this.since = since;
        this.last = last;
    }

    /** @return a plain join: live messages only, from the moment the membership takes effect */
    public static Replay none() {
        return NONE;
    }

    /**
     * Replays every message after {@code position} if the room's history still holds them all and
     * the epoch is the room's current one; otherwise replays nothing and reports
     * {@code recovered = false}.
     *
     * @param position the last position the client saw
     * @return the replay
     */
    public static Replay since(Position position) {
        return new Replay(Objects.requireNonNull(position, "position"), 0);
    }

    /**
     * Replays the room's most recent {@code count} messages (fewer if the history holds fewer).
     *
     * @param count 0..{@value #MAX_LAST}
     * @return the replay
     * @throws IllegalArgumentException if count is out of range
     */
    public static Replay last(int count) {
        if (count < 0 || count > MAX_LAST) {
            throw new IllegalArgumentException("last must be 0.." + MAX_LAST + " but was " + count);
        }
        return count == 0 ? NONE : new Replay(null, count);
    }

    /** @return the position to resume after, for {@link #since(Position)} */
    public Optional<Position> since() {
        return Optional.ofNullable(since);
    }

    /** @return how many recent messages to replay, for {@link #last(int)}; 0 otherwise */
    public int last() {
        return last;
    }

    /** @return true for {@link #none()} */
    public boolean isNone() {
        return since == null && last == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Replay r && Objects.equals(since, r.since) && last == r.last;
    }

    @Override
    public int hashCode() {
        return Objects.hash(since, last);
    }

    @Override
    public String toString() {
        return since != null ? "Replay.since(" + since + ")" : last > 0 ? "Replay.last(" + last + ")" : "Replay.none()";
    }
}
