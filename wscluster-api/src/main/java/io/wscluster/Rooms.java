package io.wscluster;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Room membership for any session, local or remote.
 *
 * <p>Membership is a state, not a count: joining twice is the same as joining once, and one leave
 * ends it. When the returned stage completes, the change is visible on every node: registry
 * queries list it and room messages sent from any node route by it. A change for a remote session
 * is carried out by the node that owns it.
 *
 * <p>History rooms (see {@link HistorySettings}) number their messages in one order for the whole
 * cluster. A join can replay what a session missed ({@link Replay}); the replayed messages reach the
 * session before the join completes, then live ones follow without gap or duplicate. The join
 * reports the position at which the membership took effect ({@link JoinResult#position()}).
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
     * Makes a session a member of a room, replaying history first. For a session that is already a
     * member, and in a room without history, this is a plain join: nothing is replayed and
     * {@link JoinResult#recovered()} is empty.
     *
     * @param session the session, on any node
     * @param room    a valid room name
     * @param replay  what to replay before live messages
     * @return completes once the session is a member and the replay is queued to it
     * @throws IllegalArgumentException if the room name is invalid
     * @since 0.2.0
     */
    CompletionStage<JoinResult> join(SessionId session, String room, Replay replay);

    /**
     * Reads a room's most recent messages without joining it.
     *
     * @param room a valid room name
     * @param last how many, 0..{@value Replay#MAX_LAST}
     * @return completes with up to {@code last} messages, oldest first; empty for a room without
     *         history or with none held
     * @throws IllegalArgumentException if the room name or the count is invalid
     * @since 0.2.0
     */
    CompletionStage<List<HistoryMessage>> history(String room, int last);

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
