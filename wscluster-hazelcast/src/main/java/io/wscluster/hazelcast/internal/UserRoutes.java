package io.wscluster.hazelcast.internal;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.wscluster.NodeId;
import io.wscluster.SessionId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's copy of where every user's sessions are, so that a user message (a direct message)
 * is routed by a local read: no network call and nothing that blocks on the sender's thread.
 *
 * <p>Design notes. The copy of a user joins two sources, and routes to the <em>union</em> of the
 * nodes they name:
 * <ul>
 * <li><b>listed</b>: the user's value in presence ({@code wsc.users}, see {@link UserTable}) as an
 * entry listener last reported it. Events of one key arrive in the order the map changed, so it
 * converges on the map; it is the complete source (a node that starts later gets every user from
 * it: listener first, then a snapshot, and the snapshot never overwrites a key the listener already
 * set), but it lags. On a node that is just starting, an event older than the snapshot can still
 * arrive after it and set an older value for one key until the next event; nodes already running
 * never see that.</li>
 * <li><b>pushed</b>: for each node, that node's sessions of the user as the node itself announced
 * them ({@link UserAnnouncer}): after every open and close of a session with a user, the owner
 * sends its current sessions of that user with a version (under a lock per user, so announcements
 * of one user leave a node in version order over one FIFO link) to every live node. An open waits
 * until every live node has applied its announcement (the presence barrier, as rooms have a join
 * barrier); a close does not wait. A pushed entry is dropped as soon as listed holds all its
 * sessions (listed then keeps them until they close), and by a newer announcement of no sessions.</li>
 * </ul>
 * This node's own sessions come from its local index, which is exact.
 *
 * <p>Why nothing is lost. Say a session S of user U opened on node B, and {@code open} returned
 * (for a WebSocket: before the 101 is written). Then every node that was live to B applied B's
 * announcement naming S, and a node that was not live to B reads S from the listener or its
 * snapshot (B wrote presence before it announced). Until S closes, S stays in the union: listed
 * drops S only when presence does, which happens only when S closes or B is lost; pushed drops
 * B's entry only when listed holds all of it, or when B announces a newer set (which names S
 * while S is open). So a user message sent from any node after the open returned is routed to B,
 * and B delivers it to S from its local index. Sends concurrent with the open may or may not reach
 * S, as with any concurrent registration.
 *
 * <p>Connects, disconnects and moves with messages in flight: a message is routed once, by the
 * copy at the time of the send, and the receiving node writes it to the user's sessions it holds
 * when it arrives. A session that closed meanwhile gets nothing (as before: a closed socket cannot
 * receive); a user who moves from B to C gets every message sent after the open on C returned,
 * through C. The union errs only on the side of extra nodes: a node that no longer holds a session
 * of U may receive a message for U for a few milliseconds and write it to nobody (the count the
 * send reports may include it). Presence queries ({@code who}, {@code isOnline}, sessions of a user)
 * do not use this copy: they read presence itself and stay exact.
 *
 * <p>Order. A user message is published on the sender's thread through the node link, exactly as
 * a room message is, so messages of one sender keep their order at every receiver; nothing is
 * queued or retried out of line.
 *
 * <p>Node loss. A lost node's pushed entries are dropped when the node table forgets the node, and
 * its sessions leave listed as the cleanup removes them from presence; the router also skips nodes
 * that are not live. Messages in flight to a node that dies are lost with its sockets. After a
 * split-brain merge, {@link #reload} re-reads listed from presence.
 */
final class UserRoutes {

    private final IMap<String, String[]> map;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private volatile Set<String> touchedDuringRead;
    private UUID listener;

    UserRoutes(IMap<String, String[]> map) {
        this.map = map;
    }

    /** Starts following presence: listener first, then a snapshot, so no change falls between. */
    void start() {
        touchedDuringRead = ConcurrentHashMap.newKeySet();
        listener = map.addEntryListener(new Follower(), true);
        for (Map.Entry<String, String[]> e : map.entrySet()) {
            Set<String> touched = touchedDuringRead;
            routes.compute(e.getKey(), (user, held) -> touched.contains(user) ? held
                    : (held == null ? Route.EMPTY : held).withListed(e.getValue()));
        }
        touchedDuringRead = null;
    }

    /** Stops following. */
    void stop() {
        if (listener != null) {
            map.removeEntryListener(listener);
        }
    }

    /**
     * @param user a user
     * @return the nodes holding the user's sessions and how many each, from the local copy (no
     *         network call); unmodifiable, empty if none
     */
    Map<NodeId, Integer> nodesOf(String user) {
        Route route = routes.get(user);
        return route == null ? Map.of() : route.nodes;
    }

    /**
     * @param user    a user
     * @param session a session id
     * @return true if the copy names the session as one of the user's
     */
    boolean names(String user, String session) {
        Route route = routes.get(user);
        return route != null && route.names(session);
    }

    /**
     * Applies a node's announcement of its sessions of a user, unless an announcement of that node
     * with a higher version was applied already.
     *
     * @param user     the user
     * @param pushed   the node, its version and its sessions of the user
     */
    void apply(String user, Pushed pushed) {
        routes.compute(user, (u, held) -> {
            Route next = (held == null ? Route.EMPTY : held).withPushed(pushed);
            return next.isEmpty() ? null : next;
        });
    }

    /** Drops what a node announced: it is gone. Its sessions leave listed as cleanup removes them. */
    void forget(NodeId node) {
        for (String user : routes.keySet()) {
            routes.computeIfPresent(user, (u, held) -> {
                Route next = held.withoutNode(node);
                return next.isEmpty() ? null : next;
            });
        }
    }

    /**
     * Re-reads listed from presence (after a split-brain merge, a join or a lost partition), except
     * for users the listener reports while the read runs: the listener's value is newer than the
     * snapshot's, and a snapshot taken just before a user's first session opened would otherwise
     * drop that user's route (its announcement is already covered by listed and gone).
     */
    void reload() {
        Set<String> touched = ConcurrentHashMap.newKeySet();
        touchedDuringRead = touched;
        try {
            Map<String, String[]> fresh = new HashMap<>(map);
            for (String user : routes.keySet()) {
                if (!fresh.containsKey(user)) {
                    relist(user, null, touched);
                }
            }
            fresh.forEach((user, sessions) -> relist(user, sessions, touched));
        } finally {
            touchedDuringRead = null;
        }
    }

    private void relist(String user, String[] sessions, Set<String> touched) {
        routes.compute(user, (u, held) -> {
            if (touched.contains(u)) {
                return held;
            }
            Route next = (held == null ? Route.EMPTY : held).withListed(sessions);
            return next.isEmpty() ? null : next;
        });
    }

    /** @return how many users the copy holds */
    int size() {
        return routes.size();
    }

    private void setListed(String user, String[] sessions) {
        Set<String> touched = touchedDuringRead;
        if (touched != null) {
            touched.add(user);
        }
        routes.compute(user, (u, held) -> {
            Route next = (held == null ? Route.EMPTY : held).withListed(sessions);
            return next.isEmpty() ? null : next;
        });
    }

    /**
     * One node's sessions of a user as that node announced them.
     *
     * @param node     the announcing node
     * @param version  increases with each announcement of the node
     * @param sessions the node's session ids of the user now, empty if none
     */
    record Pushed(NodeId node, long version, List<String> sessions) {
    }

    /**
     * A node's announcement of its sessions of one user, as one entry of a batch.
     *
     * @param user   the user
     * @param pushed the node, its version and its sessions of the user
     */
    record Announced(String user, Pushed pushed) {
    }

    /** One user's copy: listed, pushed, and the node counts routing reads, computed once per change. */
    private static final class Route {

        static final Route EMPTY = new Route(null, List.of());

        final String[] listed;
        final List<Pushed> pushed;
        final Map<NodeId, Integer> nodes;

        private Route(String[] listed, List<Pushed> pushed) {
            this.listed = listed == null || listed.length == 0 ? null : listed;
            this.pushed = pushed;
            this.nodes = count(this.listed, pushed);
        }

        boolean isEmpty() {
            return listed == null && pushed.isEmpty();
        }

        boolean names(String session) {
            if (listed != null && Arrays.asList(listed).contains(session)) {
                return true;
            }
            for (Pushed p : pushed) {
                if (p.sessions().contains(session)) {
                    return true;
                }
            }
            return false;
        }

        Route withListed(String[] sessions) {
            Route next = new Route(sessions, pushed);
            return next.dropCovered();
        }

        Route withPushed(Pushed offered) {
            List<Pushed> next = new ArrayList<>(pushed.size() + 1);
            for (Pushed p : pushed) {
                if (p.node().equals(offered.node())) {
                    if (p.version() >= offered.version()) {
                        return this; // a newer announcement of that node is applied already
                    }
                } else {
                    next.add(p);
                }
            }
            if (!offered.sessions().isEmpty()) {
                next.add(offered);
            }
            return new Route(listed, List.copyOf(next)).dropCovered();
        }

        Route withoutNode(NodeId node) {
            List<Pushed> next = new ArrayList<>(pushed);
            return next.removeIf(p -> p.node().equals(node)) ? new Route(listed, List.copyOf(next)) : this;
        }

        /** Drops the pushed entries whose sessions listed holds: listed keeps them until they close. */
        private Route dropCovered() {
            if (pushed.isEmpty() || listed == null) {
                return this;
            }
            List<String> all = Arrays.asList(listed);
            List<Pushed> next = new ArrayList<>(pushed);
            return next.removeIf(p -> all.containsAll(p.sessions())) ? new Route(listed, List.copyOf(next)) : this;
        }

        private static Map<NodeId, Integer> count(String[] listed, List<Pushed> pushed) {
            if (pushed.isEmpty()) {
                if (listed == null) {
                    return Map.of();
                }
                if (listed.length == 1) {
                    return Map.of(new SessionId(listed[0]).node(), 1);
                }
            }
            Map<NodeId, Set<String>> sessions = new HashMap<>();
            if (listed != null) {
                for (String id : listed) {
                    sessions.computeIfAbsent(new SessionId(id).node(), n -> new HashSet<>()).add(id);
                }
            }
            for (Pushed p : pushed) {
                sessions.computeIfAbsent(p.node(), n -> new HashSet<>()).addAll(p.sessions());
            }
            Map<NodeId, Integer> counts = new HashMap<>();
            sessions.forEach((node, ids) -> counts.put(node, ids.size()));
            return Collections.unmodifiableMap(counts);
        }
    }

    private final class Follower implements EntryAddedListener<String, String[]>, EntryUpdatedListener<String, String[]>,
            EntryMergedListener<String, String[]>, EntryRemovedListener<String, String[]>,
            EntryEvictedListener<String, String[]>, EntryExpiredListener<String, String[]> {

        @Override
        public void entryAdded(EntryEvent<String, String[]> event) {
            setListed(event.getKey(), event.getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<String, String[]> event) {
            setListed(event.getKey(), event.getValue());
        }

        @Override
        public void entryMerged(EntryEvent<String, String[]> event) {
            setListed(event.getKey(), event.getValue());
        }

        @Override
        public void entryRemoved(EntryEvent<String, String[]> event) {
            setListed(event.getKey(), null);
        }

        @Override
        public void entryEvicted(EntryEvent<String, String[]> event) {
            setListed(event.getKey(), null);
        }

        @Override
        public void entryExpired(EntryEvent<String, String[]> event) {
            setListed(event.getKey(), null);
        }
    }
}
