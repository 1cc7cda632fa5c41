package io.wscluster.hazelcast.internal;

import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.Target;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's own sessions, indexed by room, user and endpoint path for local fan-out.
 *
 * <p>The owner node is the single writer of its sessions' cluster records, so this index is the
 * truth the node re-asserts after a partition heals. Lookups are lock-free; each index set is a
 * concurrent set, so a fan-out iterating a room while a member joins sees a consistent-enough
 * snapshot (the joiner may or may not get that message, as with any concurrent join).
 */
final class LocalSessions {

    private final Map<SessionId, SessionInfo> byId = new ConcurrentHashMap<>();
    private final Map<String, Set<SessionId>> byRoom = new ConcurrentHashMap<>();
    private final Map<String, Set<SessionId>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Set<SessionId>> byPath = new ConcurrentHashMap<>();

    /** @param info a session that opened on this node */
    void add(SessionInfo info) {
        byId.put(info.id(), info);
        index(byPath, info.path(), info.id());
        info.user().ifPresent(user -> index(byUser, user, info.id()));
        for (String room : info.rooms()) {
            index(byRoom, room, info.id());
        }
    }

    /**
     * Removes a session from every index.
     *
     * @param id the session
     * @return its last state, or null if it was not here
     */
    SessionInfo remove(SessionId id) {
        SessionInfo info = byId.remove(id);
        if (info != null) {
            unindex(byPath, info.path(), id);
            info.user().ifPresent(user -> unindex(byUser, user, id));
            for (String room : info.rooms()) {
                unindex(byRoom, room, id);
            }
        }
        return info;
    }

    /**
     * Replaces a session's state, moving it between room indexes as needed.
     *
     * @param updated the new state of a local session
     * @return the member count of each room whose membership changed, after the change
     */
    Map<String, Integer> update(SessionInfo updated) {
        SessionInfo old = byId.replace(updated.id(), updated);
        Map<String, Integer> changed = new HashMap<>();
        if (old == null) {
            return changed;
        }
        for (String room : updated.rooms()) {
            if (!old.rooms().contains(room)) {
                index(byRoom, room, updated.id());
                changed.put(room, roomCount(room));
            }
        }
        for (String room : old.rooms()) {
            if (!updated.rooms().contains(room)) {
                unindex(byRoom, room, updated.id());
                changed.put(room, roomCount(room));
            }
        }
        return changed;
    }

    /**
     * @param id a session id
     * @return the local session's state, or null
     */
    SessionInfo get(SessionId id) {
        return byId.get(id);
    }

    /** @return the number of local sessions */
    int size() {
        return byId.size();
    }

    /** @return all local sessions, ordered by id */
    List<SessionInfo> all() {
        List<SessionInfo> list = new ArrayList<>(byId.values());
        list.sort(Comparator.comparing(s -> s.id().value()));
        return list;
    }

    /**
     * @param room a room
     * @return how many local sessions are members
     */
    int roomCount(String room) {
        Set<SessionId> members = byRoom.get(room);
        return members == null ? 0 : members.size();
    }

    /**
     * @param user a user
     * @return the ids of the user's local sessions, a fresh list
     */
    List<String> sessionsOfUser(String user) {
        Set<SessionId> ids = byUser.get(user);
        List<String> found = new ArrayList<>();
        if (ids != null) {
            for (SessionId id : ids) {
                found.add(id.value());
            }
        }
        return found;
    }

    /**
     * @param user a user
     * @return true if the user has a session on this node
     */
    boolean hasUser(String user) {
        return byUser.containsKey(user);
    }

    /** @return every room with at least one local member */
    Set<String> rooms() {
        return byRoom.keySet();
    }

    /**
     * The local sessions a target names.
     *
     * @param kind     the target kind
     * @param name     the session id, user, room or path
     * @param excluded a session to leave out, or null
     * @return the sessions, a fresh collection
     */
    Collection<SessionId> resolve(Target.Kind kind, String name, String excluded) {
        Collection<SessionId> found;
        switch (kind) {
            case SESSION: {
                SessionId id = new SessionId(name);
                found = byId.containsKey(id) ? List.of(id) : List.of();
                break;
            }
            case USER:
                found = copy(byUser.get(name));
                break;
            case ROOM:
                found = copy(byRoom.get(name));
                break;
            case ENDPOINT:
                found = copy(byPath.get(name));
                break;
            case ALL:
                found = new ArrayList<>(byId.keySet());
                break;
            default:
                throw new IllegalArgumentException("unknown target kind " + kind);
        }
        if (excluded != null && !found.isEmpty()) {
            found = new ArrayList<>(found);
            found.remove(new SessionId(excluded));
        }
        return found;
    }

    private static List<SessionId> copy(Set<SessionId> set) {
        return set == null ? List.of() : new ArrayList<>(set);
    }

    private static void index(Map<String, Set<SessionId>> index, String key, SessionId id) {
        index.compute(key, (k, set) -> {
            Set<SessionId> members = set == null ? ConcurrentHashMap.newKeySet() : set;
            members.add(id);
            return members;
        });
    }

    private static void unindex(Map<String, Set<SessionId>> index, String key, SessionId id) {
        index.computeIfPresent(key, (k, set) -> {
            set.remove(id);
            return set.isEmpty() ? null : set;
        });
    }
}
