package io.wscluster.hazelcast.internal;

import com.hazelcast.map.IMap;
import io.wscluster.SessionId;

import java.util.Arrays;

/**
 * Presence: {@code wsc.users}, user to the ids of the user's open sessions, on every node.
 *
 * <p>Design notes. Several nodes add and remove ids of one user at once, so every change is a
 * compare-and-set on the whole array (IMap compares the serialized values), retried until it
 * sticks; nothing is lost to a concurrent writer, and exactly one writer sees a user go from no
 * session to one (online) or from one to none (offline). The common cases take one round trip: a
 * user's first session is a {@code putIfAbsent}, the removal of a user's only session a
 * conditional {@code remove}; only users with several sessions pay a read first. Adds and removes
 * are idempotent, so re-asserting after a merge is safe.
 */
final class UserTable {

    private final IMap<String, String[]> map;

    UserTable(IMap<String, String[]> map) {
        this.map = map;
    }

    /** @return true if this call added the user's first session (the user came online) */
    boolean add(String user, SessionId id) {
        String[] old = map.putIfAbsent(user, new String[] {id.value()});
        while (true) {
            if (old == null) {
                return true;
            }
            if (Arrays.asList(old).contains(id.value())) {
                return false;
            }
            String[] next = Arrays.copyOf(old, old.length + 1);
            next[old.length] = id.value();
            if (map.replace(user, old, next)) {
                return false;
            }
            old = map.get(user);
            if (old == null) {
                old = map.putIfAbsent(user, new String[] {id.value()});
            }
        }
    }

    /** @return true if this call removed the user's last session (the user went offline) */
    boolean remove(String user, SessionId id) {
        if (map.remove(user, new String[] {id.value()})) {
            return true;
        }
        while (true) {
            String[] old = map.get(user);
            if (old == null || !Arrays.asList(old).contains(id.value())) {
                return false;
            }
            String[] next = Arrays.stream(old).filter(s -> !s.equals(id.value())).toArray(String[]::new);
            boolean done = next.length == 0 ? map.remove(user, old) : map.replace(user, old, next);
            if (done) {
                return next.length == 0;
            }
        }
    }
}
