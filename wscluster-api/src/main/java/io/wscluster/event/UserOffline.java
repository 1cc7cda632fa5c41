package io.wscluster.event;

import io.wscluster.Names;
import io.wscluster.SessionId;

import java.util.Objects;

/**
 * A user's last session in the cluster closed (or vanished with its node).
 *
 * @param user    the user
 * @param session the last session that closed
 * @since 0.1.0
 */
public record UserOffline(String user, SessionId session) {

    /** Creates the event. */
    public UserOffline {
        Names.requireUser(user);
        Objects.requireNonNull(session, "session");
    }
}
