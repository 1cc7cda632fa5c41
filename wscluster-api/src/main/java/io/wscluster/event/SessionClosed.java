package io.wscluster.event;

import io.wscluster.SessionInfo;

import java.util.Objects;

/**
 * A session closed somewhere in the cluster.
 *
 * @param session  the session as it was last registered
 * @param nodeLost true if it vanished because its node died, false if its node closed it
 * @since 0.1.0
 */
public record SessionClosed(SessionInfo session, boolean nodeLost) {

    /** Creates the event. */
    public SessionClosed {
        Objects.requireNonNull(session, "session");
    }
}
