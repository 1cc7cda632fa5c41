package io.wscluster.event;

import io.wscluster.SessionInfo;

import java.util.Objects;

/**
 * A session opened somewhere in the cluster.
 *
 * @param session the session as registered when it opened
 * @since 0.1.0
 */
public record SessionOpened(SessionInfo session) {

    /** Creates the event. */
    public SessionOpened {
        Objects.requireNonNull(session, "session");
    }
}
