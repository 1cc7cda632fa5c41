package io.wscluster.hazelcast.internal;

import io.wscluster.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells the other nodes which of this node's sessions belong to a user, after each open and close
 * of such a session, so that their {@link UserRoutes} route user messages here without a lookup.
 *
 * <p>An announcement carries this node's current sessions of the user, read from the local index
 * under a lock per user stripe, and a version from one counter of this node; it is published to
 * every live node under that lock, so the announcements of one user leave in version order. After
 * an open the caller waits until every live node has applied it (the presence barrier: a user
 * message sent from any node after the open returns reaches the new session); after a close it
 * does not wait. A node that does not answer in time is logged and skipped: a dying node routes
 * nothing, and one that comes back reads presence through its listener. Announcements travel in
 * batches, one in flight per node ({@link AnnouncementLanes}): a connect storm pays one round trip
 * per batch, not per open, and the barrier still waits for the batch holding the open's own.
 */
final class UserAnnouncer {

    private static final Logger LOG = LoggerFactory.getLogger(UserAnnouncer.class);
    private static final int STRIPES = 64;

    private final NodeContext context;
    private final AnnouncementLanes lanes;
    private final LiveNodes live;
    private final LocalSessions local;
    private final AtomicLong versions = new AtomicLong();
    private final Object[] userLocks = new Object[STRIPES];

    UserAnnouncer(NodeContext context, NodeLink link, LiveNodes live, LocalSessions local) {
        this.context = context;
        this.lanes = new AnnouncementLanes(context.id, link, live);
        this.live = live;
        this.local = local;
        for (int i = 0; i < STRIPES; i++) {
            userLocks[i] = new Object();
        }
    }

    /** A session of the user opened here: announces it and waits until every live node applied it. */
    void opened(String user) {
        List<CompletableFuture<Integer>> acks = announce(user, true);
        if (acks.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            LOG.warn("node {}: {}", context.id, e.getCause() == null ? e : e.getCause().getMessage());
        }
    }

    /** A session of the user closed here: announces what is left, without waiting. */
    void closed(String user) {
        try {
            announce(user, false);
        } catch (RuntimeException e) {
            LOG.debug("node {}: announcing the close of a session of user '{}' failed", context.id, user, e);
        }
    }

    private List<CompletableFuture<Integer>> announce(String user, boolean await) {
        NodeId me = context.id;
        List<CompletableFuture<Integer>> acks = new ArrayList<>();
        synchronized (userLocks[Math.floorMod(user.hashCode(), STRIPES)]) {
            UserRoutes.Pushed pushed = new UserRoutes.Pushed(me, versions.incrementAndGet(), local.sessionsOfUser(user));
            for (NodeId node : live.ids()) {
                if (node.equals(me)) {
                    continue;
                }
                CompletableFuture<Integer> applied = lanes.add(node, user, pushed);
                if (await) {
                    acks.add(applied);
                }
            }
        }
        return acks;
    }
}
