package io.wscluster;

import java.util.Objects;
import java.util.Optional;

/**
 * Who a message is for: one session, a user's sessions, a room, an endpoint path, or everyone;
 * optionally excluding one session (typically the sender).
 *
 * <pre>{@code
 * messenger.send(Target.room("lobby").excluding(sender), Message.text("hi"));
 * }</pre>
 *
 * @since 0.1.0
 */
public final class Target {

    /** The kind of a target. */
    public enum Kind {
        /** One session. */
        SESSION,
        /** Every session of one user. */
        USER,
        /** Every session that is a member of one room. */
        ROOM,
        /** Every session opened on one endpoint path. */
        ENDPOINT,
        /** Every session in the cluster. */
        ALL
    }

    private static final Target ALL_SESSIONS = new Target(Kind.ALL, "", null);

    private final Kind kind;
    private final String name;
    private final SessionId excluded;

    private Target(Kind kind, String name, SessionId excluded) {
        this.kind = kind;
        this.name = name;
        this.excluded = excluded;
    }

    /**
     * One session, wherever it lives.
     *
     * @param id the session
     * @return the target
     */
    public static Target session(SessionId id) {
        return new Target(Kind.SESSION, Objects.requireNonNull(id, "id").value(), null);
    }

    /**
     * Every session of {@code user}, on every node.
     *
     * @param user a valid user name ({@link Names#requireUser})
     * @return the target
     */
    public static Target user(String user) {
        return new Target(Kind.USER, Names.requireUser(user), null);
    }

    /**
     * Every member of {@code room}, on every node.
     *
     * @param room a valid room name ({@link Names#requireRoom})
     * @return the target
     */
    public static Target room(String room) {
        return new Target(Kind.ROOM, Names.requireRoom(room), null);
    }

    /**
     * Every session opened on the endpoint {@code path} (the path template, e.g. {@code /chat}).
     *
     * @param path the endpoint path, starting with '/'
     * @return the target
     */
    public static Target endpoint(String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("endpoint path must start with '/' but was " + Names.quote(path));
        }
        return new Target(Kind.ENDPOINT, path, null);
    }

    /**
     * Every session in the cluster.
     *
     * @return the target
     */
    public static Target all() {
        return ALL_SESSIONS;
    }

    /**
     * The same target without one session.
     *
     * @param session the session to leave out (for example the sender)
     * @return a new target
     */
    public Target excluding(SessionId session) {
        return new Target(kind, name, Objects.requireNonNull(session, "session"));
    }

    /** @return the kind */
    public Kind kind() {
        return kind;
    }

    /** @return the session id, user, room or path this target names; empty for {@link Kind#ALL} */
    public String name() {
        return name;
    }

    /** @return the excluded session, if any */
    public Optional<SessionId> excluded() {
        return Optional.ofNullable(excluded);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Target t && kind == t.kind && name.equals(t.name) && Objects.equals(excluded, t.excluded);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, name, excluded);
    }

    @Override
    public String toString() {
        return kind + (name.isEmpty() ? "" : ":" + name) + (excluded == null ? "" : " excluding " + excluded);
    }
}
