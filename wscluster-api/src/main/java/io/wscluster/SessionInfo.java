package io.wscluster;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the cluster knows of one session: an immutable snapshot.
 *
 * @since 0.1.0
 */
public final class SessionInfo {

    private final SessionId id;
    private final String path;
    private final String user;
    private final Set<String> rooms;
    private final Map<String, String> attributes;
    private final Instant openedAt;

    /**
     * Creates a snapshot.
     *
     * @param id         the session's id (it names the owning node)
     * @param path       the endpoint path the session was opened on, e.g. {@code /chat}
     * @param user       the session's user, or null for an anonymous session
     * @param rooms      the rooms the session is a member of
     * @param attributes small string attributes the server attached to the session
     * @param openedAt   when the session opened
     */
    public SessionInfo(SessionId id, String path, String user, Set<String> rooms,
                       Map<String, String> attributes, Instant openedAt) {
        this.id = Objects.requireNonNull(id, "id");
        this.path = Objects.requireNonNull(path, "path");
        this.user = user == null ? null : Names.requireUser(user);
        this.rooms = Collections.unmodifiableSet(new TreeSet<>(Objects.requireNonNull(rooms, "rooms")));
        this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(attributes, "attributes")));
        this.openedAt = Objects.requireNonNull(openedAt, "openedAt");
    }

    /** @return the session's id */
    public SessionId id() {
        return id;
    }

    /** @return the node that owns the session's socket */
    public NodeId node() {
        return id.node();
    }

    /** @return the endpoint path the session was opened on (the template, e.g. {@code /rooms/{room}}) */
    public String path() {
        return path;
    }

    /** @return the session's user, empty for an anonymous session */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** @return the rooms the session is a member of, sorted */
    public Set<String> rooms() {
        return rooms;
    }

    /** @return the session's attributes, unmodifiable */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** @return when the session opened */
    public Instant openedAt() {
        return openedAt;
    }

    /**
     * Returns a copy with different rooms.
     *
     * @param newRooms the rooms of the copy
     * @return the copy
     */
    public SessionInfo withRooms(Set<String> newRooms) {
        return new SessionInfo(id, path, user, newRooms, attributes, openedAt);
    }

    /**
     * Returns a copy with different attributes.
     *
     * @param newAttributes the attributes of the copy
     * @return the copy
     */
    public SessionInfo withAttributes(Map<String, String> newAttributes) {
        return new SessionInfo(id, path, user, rooms, newAttributes, openedAt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionInfo other && id.equals(other.id) && path.equals(other.path)
                && Objects.equals(user, other.user) && rooms.equals(other.rooms)
                && attributes.equals(other.attributes) && openedAt.equals(other.openedAt);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "SessionInfo{id=" + id + ", path=" + path + ", user=" + user + ", rooms=" + rooms
                + ", attributes=" + attributes + ", openedAt=" + openedAt + '}';
    }
}
