package io.wscluster;

import java.util.regex.Pattern;

/**
 * Validation of the names the cluster routes by: users and rooms.
 *
 * <p>A user name is 1..64 characters of {@code [A-Za-z0-9_.-]}; a room name is 1..128 characters of
 * {@code [A-Za-z0-9_.:-]}. These are the rules of the chat protocol, and they keep names safe to
 * embed in keys, logs and URLs. A bad value is an {@link IllegalArgumentException} whose message
 * names the value and the rule.
 *
 * @since 0.1.0
 */
public final class Names {

    /** Longest user name accepted. */
    public static final int MAX_USER_LENGTH = 64;
    /** Longest room name accepted. */
    public static final int MAX_ROOM_LENGTH = 128;

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_USER_LENGTH + "}");
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_.:-]{1," + MAX_ROOM_LENGTH + "}");
    private static final String USER_RULE = "1.." + MAX_USER_LENGTH + " characters of [A-Za-z0-9_.-]";
    private static final String ROOM_RULE = "1.." + MAX_ROOM_LENGTH + " characters of [A-Za-z0-9_.:-]";

    private Names() {
    }

    /**
     * Tells whether {@code user} is a valid user name.
     *
     * @param user the candidate, may be null
     * @return true if it follows the user rule
     */
    public static boolean isValidUser(String user) {
        return user != null && USER.matcher(user).matches();
    }

    /**
     * Tells whether {@code room} is a valid room name.
     *
     * @param room the candidate, may be null
     * @return true if it follows the room rule
     */
    public static boolean isValidRoom(String room) {
        return room != null && ROOM.matcher(room).matches();
    }

    /**
     * Returns {@code user} if it is a valid user name.
     *
     * @param user the candidate
     * @return the same string
     * @throws IllegalArgumentException naming the value and the rule if it is not valid
     */
    public static String requireUser(String user) {
        if (!isValidUser(user)) {
            throw new IllegalArgumentException("user " + quote(user) + " is invalid: it must be " + USER_RULE);
        }
        return user;
    }

    /**
     * Returns {@code room} if it is a valid room name.
     *
     * @param room the candidate
     * @return the same string
     * @throws IllegalArgumentException naming the value and the rule if it is not valid
     */
    public static String requireRoom(String room) {
        if (!isValidRoom(room)) {
            throw new IllegalArgumentException("room " + quote(room) + " is invalid: it must be " + ROOM_RULE);
        }
        return room;
    }

    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return "'" + shown + "'";
    }
}
