package io.wscluster.hazelcast.internal;

import io.wscluster.CloseCode;
import io.wscluster.ClusterException;
import io.wscluster.Message;
import io.wscluster.Names;
import io.wscluster.Registry;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.spi.SessionHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The session registry: this node's side of it for the local server ({@link SessionHost}) and the
 * cluster-wide queries ({@link Registry}).
 *
 * <p>Design notes. Only the owning node writes a session's record, presence and memberships; the
 * local index ({@link LocalSessions}) is the truth it writes from and re-asserts after a partition
 * heals. Changes to one session are made under a lock per session stripe (shared with
 * {@link RoomMembership}), so a concurrent join, leave, attribute change or close cannot reorder
 * the writes. After a session with a user opens or closes, this node announces its sessions of that
 * user to the others ({@link UserAnnouncer}; an open waits for them, so the session is reachable as
 * a user from every node once {@code open} returns). Presence is changed with compare-and-set ({@link UserTable}): exactly one writer sees
 * a user come online or go offline, and publishes that event. Every write is idempotent, so
 * re-asserting is always safe. A join writes the record, then the membership, then the interest,
 * and {@link #deregister} undoes them in reverse: whatever a crash interrupts, the dead node's
 * records name everything that must be cleaned.
 */
final class SessionRegistry implements Registry, SessionHost {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    private static final int STRIPES = 64;
    private static final LocalDelivery NO_SERVER = new LocalDelivery() {
        @Override
        public void deliver(Collection<SessionId> sessions, Message message) {
        }

        @Override
        public void close(SessionId session, CloseCode code) {
        }
    };

    private final NodeContext context;
    private final SharedTables tables;
    private final EventTopic events;
    private final LocalSessions local;
    private final NodeInterest interest;
    private final UserAnnouncer announcer;
    private final AtomicLong sessionSequence = new AtomicLong();
    private final Object[] sessionLocks = new Object[STRIPES];
    private final AtomicBoolean attached = new AtomicBoolean();
    private volatile LocalDelivery delivery = NO_SERVER;

    SessionRegistry(NodeContext context, SharedTables tables, EventTopic events, LocalSessions local, NodeInterest interest,
                    UserAnnouncer announcer) {
        this.announcer = announcer;
        this.context = context;
        this.tables = tables;
        this.events = events;
        this.local = local;
        this.interest = interest;
        for (int i = 0; i < STRIPES; i++) {
            sessionLocks[i] = new Object();
        }
    }

    /**
     * Attaches the local server.
     *
     * @param server writes to local sockets
     * @return this node's session host
     */
    SessionHost attach(LocalDelivery server) {
        Objects.requireNonNull(server, "delivery");
        if (!attached.compareAndSet(false, true)) {
            throw ClusterException.alreadyAttached(context.id);
        }
        this.delivery = server;
        return this;
    }

    /** @return the local server, or one that writes nowhere before it attaches */
    LocalDelivery delivery() {
        return delivery;
    }

    /** @return this node's own sessions */
    LocalSessions local() {
        return local;
    }

    /** @return the lock that orders the changes to one local session */
    Object lockOf(SessionId id) {
        return sessionLocks[Math.floorMod(id.hashCode(), STRIPES)];
    }

    // ---- SessionHost ---------------------------------------------------------------------------

    @Override
    public SessionInfo open(String path, String user, Map<String, String> attributes) {
        return open(newId(), path, user, attributes);
    }

    @Override
    public SessionId newId() {
        return SessionId.of(context.id, sessionSequence.incrementAndGet());
    }

    @Override
    public SessionInfo open(SessionId id, String path, String user, Map<String, String> attributes) {
        context.ensureOpen();
        context.quarantine.checkServing();
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(path, "path");
        if (user != null) {
            Names.requireUser(user);
        }
        if (!id.isOwnedBy(context.id)) {
            throw new IllegalArgumentException("session id '" + id + "' is not owned by node '" + context.id + "'");
        }
        if (local.get(id) != null) {
            throw new IllegalArgumentException("session id '" + id + "' is already registered");
        }
        SessionInfo info = new SessionInfo(id, path, user, Set.of(), attributes == null ? Map.of() : attributes,
                context.ticker.now());
        boolean online;
        synchronized (lockOf(id)) {
            local.add(info);
            try {
                tables.sessions.set(id.value(), tables.sealSession(info));
                online = user != null && tables.presence.add(user, id);
            } catch (RuntimeException e) {
                local.remove(id);
                tables.sessions.delete(id.value());
                throw ClusterException.failed("registration of session '" + id + "'", e);
            }
        }
        if (user != null) {
            announcer.opened(user);
        }
        events.publish(TopicEvent.encodeSession(TopicEvent.Kind.OPENED, info));
        if (online) {
            events.publish(TopicEvent.encodeUser(TopicEvent.Kind.ONLINE, user, id));
        }
        return info;
    }

    @Override
    public boolean updateAttributes(SessionId session, Map<String, String> attributes) {
        synchronized (lockOf(session)) {
            SessionInfo info = local.get(session);
            if (info == null) {
                return false;
            }
            SessionInfo updated = info.withAttributes(attributes);
            local.update(updated);
            tables.sessions.set(session.value(), tables.sealSession(updated));
            return true;
        }
    }

    @Override
    public boolean closed(SessionId session) {
        SessionInfo info;
        synchronized (lockOf(session)) {
            info = local.remove(session);
            if (info == null) {
                return false;
            }
            if (context.quarantine.quarantined()) {
                // the others removed it already; the reconcile before serving again removes what is left
                return true;
            }
            for (String room : info.rooms()) {
                interest.publish(room);
            }
        }
        info.user().ifPresent(announcer::closed);
        try {
            deregister(info, false);
        } catch (RuntimeException e) {
            LOG.warn("deregistration of session '{}' failed; the next reconcile will remove it", session, e);
        }
        return true;
    }

    @Override
    public int openCount() {
        return local.size();
    }

    /** Deregisters a local session as this node closes; failures propagate to the caller. */
    void closeQuietly(SessionId id) {
        SessionInfo info;
        synchronized (lockOf(id)) {
            info = local.remove(id);
            if (info == null) {
                return;
            }
            for (String room : info.rooms()) {
                interest.publish(room);
            }
        }
        info.user().ifPresent(announcer::closed);
        deregister(info, false);
    }

    /** Closes every local session's socket with a close code (the sessions leave as their sockets close). */
    void closeAllLocal(CloseCode code) {
        for (SessionInfo info : local.all()) {
            try {
                delivery.close(info.id(), code);
            } catch (RuntimeException e) {
                LOG.debug("closing session '{}' failed", info.id(), e);
            }
        }
    }

    /**
     * Closes a local session's socket with a close code.
     *
     * @return false if the session is not open here
     */
    boolean closeLocal(SessionId session, CloseCode code) {
        if (local.get(session) == null) {
            return false;
        }
        delivery.close(session, code);
        return true;
    }

    /**
     * Removes a session's shared entries (memberships, presence, record) and publishes the events
     * this call caused. RoutingEntry is not touched: the owner re-publishes its counts, a cleanup drops
     * the dead node's interest as a whole.
     *
     * @param info the session
     * @param lost true if its node was lost (the closed event says so)
     */
    void deregister(SessionInfo info, boolean lost) {
        String member = SharedTables.memberValue(info);
        for (String room : info.rooms()) {
            tables.roomMembers.remove(room, member);
        }
        boolean offline = info.user().isPresent() && tables.presence.remove(info.user().get(), info.id());
        byte[] removed = tables.sessions.remove(info.id().value());
        if (removed != null) {
            events.publish(TopicEvent.encodeSession(lost ? TopicEvent.Kind.LOST : TopicEvent.Kind.CLOSED, info));
        }
        if (offline) {
            events.publish(TopicEvent.encodeUser(TopicEvent.Kind.OFFLINE, info.user().get(), info.id()));
        }
    }

    // ---- Registry ------------------------------------------------------------------------------

    @Override
    public Optional<SessionInfo> session(SessionId id) {
        Objects.requireNonNull(id, "id");
        SessionInfo mine = id.isOwnedBy(context.id) ? local.get(id) : null;
        if (mine != null) {
            return Optional.of(mine);
        }
        byte[] bytes = tables.sessions.get(id.value());
        return bytes == null ? Optional.empty() : Optional.ofNullable(tables.openSession(id.value(), bytes));
    }

    @Override
    public List<SessionInfo> sessionsOfUser(String user) {
        context.quarantine.checkServing();
        String[] ids = tables.users.get(Names.requireUser(user));
        List<SessionInfo> found = ids == null ? new ArrayList<>() : fetch(Arrays.asList(ids));
        if (context.seal.isOn()) {
            // The presence index is not sealed: keep the authentic records that say so.
            found.removeIf(info -> !info.user().filter(user::equals).isPresent());
        }
        return found;
    }

    @Override
    public List<SessionInfo> sessionsInRoom(String room) {
        context.quarantine.checkServing();
        Collection<String> members = tables.roomMembers.get(Names.requireRoom(room));
        List<String> ids = new ArrayList<>(members.size());
        for (String member : members) {
            int space = member.indexOf(' ');
            ids.add(space < 0 ? member : member.substring(0, space));
        }
        List<SessionInfo> found = fetch(ids);
        if (context.seal.isOn()) {
            // The room index is not sealed: keep the authentic records that say so.
            found.removeIf(info -> !info.rooms().contains(room));
        }
        return found;
    }

    @Override
    public SortedSet<String> usersInRoom(String room) {
        context.quarantine.checkServing();
        SortedSet<String> found = new TreeSet<>();
        if (context.seal.isOn()) {
            // The room index is not sealed: with a secret, only authentic session records count.
            for (SessionInfo info : sessionsInRoom(room)) {
                info.user().ifPresent(found::add);
            }
            return found;
        }
        for (String member : tables.roomMembers.get(Names.requireRoom(room))) {
            int space = member.indexOf(' ');
            if (space > 0) {
                found.add(member.substring(space + 1));
            }
        }
        return found;
    }

    @Override
    public boolean isOnline(String user) {
        context.quarantine.checkServing();
        if (context.seal.isOn()) {
            // The presence index is not sealed: with a secret, only authentic session records count.
            return sessionsOfUser(user).stream().anyMatch(info -> info.user().filter(user::equals).isPresent());
        }
        return tables.users.containsKey(Names.requireUser(user));
    }

    @Override
    public List<SessionInfo> localSessions() {
        return local.all();
    }

    @Override
    public int localCount() {
        return local.size();
    }

    @Override
    public int clusterCount() {
        return tables.sessions.size();
    }

    private List<SessionInfo> fetch(Collection<String> ids) {
        List<SessionInfo> found = new ArrayList<>();
        if (ids.isEmpty()) {
            return found;
        }
        for (Map.Entry<String, byte[]> e : tables.sessions.getAll(new HashSet<>(ids)).entrySet()) {
            SessionInfo info = tables.openSession(e.getKey(), e.getValue());
            if (info != null) {
                found.add(info);
            }
        }
        found.sort(Comparator.comparing(s -> s.id().value()));
        return found;
    }
}
