package io.wscluster;

import java.util.Objects;
import java.util.Optional;

/**
 * What a join did.
 *
 * @param joined    true if the session is a member now; false if no such session is open
 * @param position  in a history room, the position of the room's latest message at the moment the
 *                  membership took effect (offset 0 if none): the session receives every live
 *                  message after it and none at or before it, apart from what was replayed; empty for
 *                  a room without history or a failed join
 * @param recovered for {@link Replay#since(Position)} on a new membership of a history room: true if
 *                  the history held every message after the position in the same epoch (all were
 *                  replayed), false if not (nothing was replayed: the client missed messages it
 *                  cannot get back); empty otherwise
 * @param replayed  messages replayed to the session before the join completed
 * @since 0.2.0
 */
public record JoinResult(boolean joined, Optional<Position> position, Optional<Boolean> recovered, int replayed) {

    /** The result of a join for a session that is not open. */
    public static final JoinResult NOT_OPEN = new JoinResult(false, Optional.empty(), Optional.empty(), 0);

    /** The result of a join to a room without history. */
    public static final JoinResult JOINED = new JoinResult(true, Optional.empty(), Optional.empty(), 0);

    /**
     * Creates a result.
     *
     * @throws IllegalArgumentException if replayed is negative, or a result that did not join
     *                                  carries a position, a recovery flag or replayed messages
     */
    public JoinResult {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(recovered, "recovered");
        if (replayed < 0) {
            throw new IllegalArgumentException("replayed must be >= 0 but was " + replayed);
        }
        if (!joined && (position.isPresent() || recovered.isPresent() || replayed > 0)) {
            throw new IllegalArgumentException("a join that did not happen has no position, recovery or replay");
        }
    }
}
