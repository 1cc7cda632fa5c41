package io.wscluster.event;

import io.wscluster.Names;
import io.wscluster.SessionId;

import java.util.Objects;

/**
 * A user's first session in the cluster opened.
 *
 * @param user    the user
 * @param session the session that brought the user online
 * @since 0.1.0
 */
public record UserOnline(String user, SessionId session) {

    /** Creates the event. */
    public UserOnline {
        Names.requireUser(user);
        Objects.requireNonNull(session, "session");
    }
}
