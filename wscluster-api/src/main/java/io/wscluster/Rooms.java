package io.wscluster;

import java.util.concurrent.CompletionStage;

/**
 * Room membership for any session, local or remote.
 *
 * <p>Membership is a state, not a count: joining twice is the same as joining once, and one leave
 * ends it. When the returned stage completes, the change is visible on every node: registry
 * queries list it and room messages sent from any node route by it. A change for a remote session
 * is carried out by the node that owns it.
 *
 * @since 0.1.0
 */
public interface Rooms {

    /**
     * Makes a session a member of a room.
     *
     * @param session the session, on any node
     * @param room    a valid room name
     * @return completes with true once the session is a member, false if no such session is open
     * @throws IllegalArgumentException if the room name is invalid
     */
    CompletionStage<Boolean> join(SessionId session, String room);

    /**
     * Ends a session's membership of a room.
     *
     * @param session the session, on any node
     * @param room    a valid room name
     * @return completes with true once the session is not a member (also if it never was), false if
     *         no such session is open
     * @throws IllegalArgumentException if the room name is invalid
     */
    CompletionStage<Boolean> leave(SessionId session, String room);
}
