package io.wscluster.testkit;

import io.wscluster.Names;
import io.wscluster.NodeId;
import io.wscluster.Registry;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.spi.SessionHost;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node's side of the in-memory session table: {@link SessionHost} for its server and the
 * cluster-wide {@link Registry} queries. Opens and closes happen under the network's lock, so
 * presence changes (first session of a user, last one) are seen by exactly one call.
 */
final class InMemorySessions implements Registry, SessionHost {

    private final InMemoryNetwork network;
    private final InMemoryCluster node;
    private final NodeId id;
    private final AtomicLong sequence = new AtomicLong();

    InMemorySessions(InMemoryNetwork network, InMemoryCluster node) {
        this.network = network;
        this.node = node;
        this.id = node.localNode();
    }

    // ---- SessionHost ---------------------------------------------------------------------------

    @Override
    public SessionInfo open(String path, String user, Map<String, String> attributes) {
        return open(newId(), path, user, attributes);
    }

    @Override
    public SessionId newId() {
        return SessionId.of(id, sequence.incrementAndGet());
    }

    @Override
    public SessionInfo open(SessionId session, String path, String user, Map<String, String> attributes) {
        node.ensureOpen();
        Objects.requireNonNull(session, "id");
        Objects.requireNonNull(path, "path");
        if (user != null) {
            Names.requireUser(user);
        }
        if (!session.isOwnedBy(id)) {
            throw new IllegalArgumentException("session id '" + session + "' is not owned by node '" + id + "'");
        }
        synchronized (network.lock()) {
            node.ensureOpen();
            if (network.session(session) != null) {
                throw new IllegalArgumentException("session id '" + session + "' is already registered");
            }
            SessionInfo info = new SessionInfo(session, path, user, Set.of(), attributes == null ? Map.of() : attributes,
                    network.clock().instant());
            network.register(info);
            return info;
        }
    }

    @Override
    public boolean updateAttributes(SessionId session, Map<String, String> attributes) {
        synchronized (network.lock()) {
            SessionInfo info = session.isOwnedBy(id) ? network.session(session) : null;
            if (info == null) {
                return false;
            }
            network.update(info.withAttributes(attributes));
            return true;
        }
    }

    @Override
    public boolean closed(SessionId session) {
        synchronized (network.lock()) {
            return session.isOwnedBy(id) && network.deregister(session, false) != null;
        }
    }

    @Override
    public int openCount() {
        synchronized (network.lock()) {
            return network.sessionsOfNode(id).size();
        }
    }

    // ---- Registry ------------------------------------------------------------------------------

    @Override
    public Optional<SessionInfo> session(SessionId session) {
        Objects.requireNonNull(session, "id");
        node.ensureOpen();
        synchronized (network.lock()) {
            return Optional.ofNullable(network.session(session));
        }
    }

    @Override
    public List<SessionInfo> sessionsOfUser(String user) {
        Names.requireUser(user);
        node.ensureOpen();
        synchronized (network.lock()) {
            return network.sessionsOfUser(user);
        }
    }

    @Override
    public List<SessionInfo> sessionsInRoom(String room) {
        Names.requireRoom(room);
        node.ensureOpen();
        synchronized (network.lock()) {
            return network.sessionsInRoom(room);
        }
    }

    @Override
    public SortedSet<String> usersInRoom(String room) {
        SortedSet<String> users = new TreeSet<>();
        for (SessionInfo info : sessionsInRoom(room)) {
            info.user().ifPresent(users::add);
        }
        return users;
    }

    @Override
    public boolean isOnline(String user) {
        Names.requireUser(user);
        node.ensureOpen();
        synchronized (network.lock()) {
            return network.isOnline(user);
        }
    }

    @Override
    public List<SessionInfo> localSessions() {
        synchronized (network.lock()) {
            return network.sessionsOfNode(id);
        }
    }

    @Override
    public int localCount() {
        return openCount();
    }

    @Override
    public int clusterCount() {
        node.ensureOpen();
        synchronized (network.lock()) {
            return network.sessionCount();
        }
    }
}
