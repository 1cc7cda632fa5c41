package io.wscluster.hazelcast.internal;

import com.hazelcast.cluster.Member;
import io.wscluster.ClusterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Quarantine: a node that may have been declared gone by the others serves no client until it is
 * back in the cluster.
 *
 * <p>Design notes. A process can stop without dying (a long GC pause, a frozen VM, SIGSTOP) or be
 * cut off while it runs. The others then declare it gone and remove its sessions, memberships,
 * presence and interest ({@link Failover}); the node itself learns it only later, from Hazelcast
 * (the others' explicit suspicion, a one-member view, a split-brain merge). Meanwhile it would act
 * on a view that no longer holds: route by a table the others changed, answer {@code who} from data
 * the merge is about to replace, accept messages no other node will receive. Two ways out were
 * possible: re-enter silently (re-assert every session after the merge) or close the clients so
 * that they reconnect. Re-entering silently cannot keep its promise: what the node's clients sent
 * while it was out reached nobody else, and during the merge Hazelcast replaces the node's data, so
 * its clients lose deliveries without learning it. So the node closes them instead:
 * <ul>
 * <li><b>Entering.</b> A watch thread of its own ticks every {@value #TICK_MILLIS} ms on the
 * monotonic clock. A gap longer than the {@linkplain Liveness#stallBound() stall bound} (the time
 * after which the others declare a silent node gone) means the node stalled; so does a shorter
 * stall of over a second followed, within the confirm window, by the loss of at least half of the
 * members this node saw before it (the others were quicker: their verdict arrives as this node's
 * view shrinks; a healthy node that lost one of three keeps the majority and serves on); so does a split-brain
 * merge of this node's side into another cluster (a node that was cut off). Every
 * cluster call a client can cause first checks the clock itself ({@link #checkServing}), so a node
 * that just woke refuses work before its watch thread has even run. Scheduling delay on a busy
 * machine is tolerated: only a gap past the stall bound counts, and a false alarm costs a reconnect,
 * never data.</li>
 * <li><b>While quarantined.</b> Every local session is closed with 1012 (service restart:
 * reconnect, and with history resume); new sessions, joins, queries and sends fail with
 * {@link ClusterException#unavailable} (the server refuses handshakes with 1013, the chat example
 * answers {@code unavailable}): nothing a client sends is dropped silently. {@link #reason()} is
 * {@code Cluster.unavailableReason()}, and the server's {@code /health} answers 503 with it, so a
 * balancer sends new connections elsewhere. Sessions closed now are
 * removed locally only: the others already removed them, and a call into a cluster this node may no
 * longer belong to could hang. Nor does the node clean up after the members it lost or run its
 * scheduled reconciles ({@link NodeCleanup}): it lost them because they declared it gone, and such a
 * cleanup, run late, removed healthy nodes from the cluster it had re-entered.</li>
 * <li><b>Leaving.</b> After a merge: once this node has reconciled (re-asserted its node record,
 * removed every trace of its closed sessions) and {@link #SETTLE} more has passed, so that every
 * node's copy of the tables has caught up. If the membership turns out unchanged after the confirm
 * window, the stall was a false alarm: reconcile and serve. If no merge came within the rejoin bound
 * and no member of the node's last full view still answers on its cluster port ({@link LostPeers}),
 * nobody is left to merge with: reconcile and serve as what is left of the cluster. While one
 * answers, the merge is only late (the others refuse merges while they migrate partitions): wait
 * for it, up to {@value #REJOIN_CAP} rejoin bounds, rather than serve a world of one and close the
 * clients again at the merge.</li>
 * </ul>
 * Time here is the real monotonic clock, not the node's ticker: a test that moves the ticker is no
 * stall. The watch thread is this class's own, never the maintenance thread: the blocking reconcile it
 * runs must not queue behind, or hold up, the node's other periodic work.
 */
final class Quarantine {

    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
    static final long TICK_MILLIS = 100;
    /** How long a node that re-entered waits before it serves clients again. */
    static final Duration SETTLE = Duration.ofSeconds(1);
    private static final long MIN_NOTICED_STALL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How many rejoin bounds a node waits for a merge while a member of its last view still answers. */
    static final int REJOIN_CAP = 3;

    private final NodeContext context;
    private volatile long lastTick;
    private volatile long lastStallEnd = Long.MIN_VALUE;
    private volatile long lastStallMillis;
    private volatile int viewSize;
    private volatile int viewBeforeStall;
    private volatile List<InetSocketAddress> viewPeers = List.of();
    private boolean probePeers;
    private volatile Spell spell;
    private ScheduledExecutorService watch;
    private Hooks hooks;
    private long stallNanos;
    private long confirmNanos;
    private long rejoinNanos;

    /** What quarantine does to the rest of the node. */
    interface Hooks {
        /** Closes every local session with 1012, locally. */
        void closeLocalSessions();

        /** Reconciles now, on the caller's thread; throws if it failed. */
        void reconcileNow(String why);
    }

    /** One stay in quarantine. */
    private static final class Spell {
        final String why;
        final long since;
        final Set<String> members;
        volatile boolean merged;
        volatile long servingAt = Long.MAX_VALUE;
        final LostPeers peers;
        boolean waitLogged;

        Spell(String why, long since, Set<String> members, LostPeers peers) {
            this.why = why;
            this.since = since;
            this.members = members;
            this.peers = peers;
        }
    }

    Quarantine(NodeContext context) {
        this.context = context;
    }

    /**
     * Starts watching.
     *
     * @param liveness this node's kind: its stall, confirm and rejoin bounds
     * @param hooks    what entering and leaving do
     */
    void start(Liveness liveness, Hooks hooks) {
        this.hooks = hooks;
        this.stallNanos = liveness.stallBound().toNanos();
        this.confirmNanos = liveness.confirmWindow().toNanos();
        this.rejoinNanos = liveness.rejoinBound().toNanos();
        // a node on a Hazelcast client rejoins by reconnecting its client, not by a merge
        this.probePeers = liveness.member();
        this.lastTick = System.nanoTime();
        this.watch = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "wsc-quarantine-" + context.id);
            thread.setDaemon(true);
            return thread;
        });
        watch.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        LOG.debug("node {} enters quarantine after a stall of {} ms or a merge", context.id, TimeUnit.NANOSECONDS.toMillis(stallNanos));
    }

    /** Stops watching. */
    void stop() {
        if (watch != null) {
            watch.shutdownNow();
        }
    }

    /** @return true while this node serves no client */
    boolean quarantined() {
        return spell != null;
    }

    /** @return why this node serves no client, or null while it serves */
    String reason() {
        Spell current = spell;
        return current == null ? null : current.why;
    }

    /**
     * Checks, before work a client caused, that this node still belongs to the cluster.
     *
     * @throws ClusterException (unavailable) while quarantined, or if this node just woke from a stall
     */
    void checkServing() {
        Spell current = spell;
        if (current == null && watch != null) {
            long gap = System.nanoTime() - lastTick;
            if (gap > stallNanos + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS)) {
                current = enter("stalled for " + TimeUnit.NANOSECONDS.toMillis(gap) + " ms");
            }
        }
        if (current != null) {
            throw ClusterException.unavailable(context.id, current.why);
        }
    }

    /** This node's side of a split is merging into another cluster: the others declared it gone. */
    void onMerging() {
        enter("cut off from the cluster, merging back");
    }

    /**
     * Other members left this node's view. Right after a stall that means the others declared this
     * node gone (their explicit suspicion), not that they died.
     */
    void onMembersLost() {
        long end = lastStallEnd;
        if (end != Long.MIN_VALUE && System.nanoTime() - end < confirmNanos
                && context.hazelcast.getCluster().getMembers().size() * 2 <= viewBeforeStall) {
            enter("stalled for " + lastStallMillis + " ms, then lost the other members");
        }
    }

    /** The merge is done: this node is a member of the cluster again. */
    void onMerged() {
        Spell current = spell;
        if (current != null) {
            current.merged = true;
        }
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            long gap = now - lastTick;
            lastTick = now;
            if (gap > MIN_NOTICED_STALL_NANOS) {
                lastStallMillis = TimeUnit.NANOSECONDS.toMillis(gap);
                viewBeforeStall = viewSize;
                lastStallEnd = now;
            } else if (now - lastStallEnd > confirmNanos || lastStallEnd == Long.MIN_VALUE) {
                Set<Member> members = context.hazelcast.getCluster().getMembers();
                viewSize = members.size();
                if (probePeers) {
                    viewPeers = othersOf(members);
                }
            }
            if (gap > stallNanos + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS)) {
                enter("stalled for " + TimeUnit.NANOSECONDS.toMillis(gap) + " ms");
            }
            Spell current = spell;
            if (current != null && !context.isClosed()) {
                tryLeave(current, now);
            }
        } catch (RuntimeException e) {
            LOG.debug("node {}: quarantine watch failed; trying again", context.id, e);
        }
    }

    private synchronized Spell enter(String why) {
        if (spell != null || context.isClosed()) {
            return spell;
        }
        Spell entered = new Spell(why, System.nanoTime(), memberUuids(), new LostPeers(viewPeers));
        spell = entered;
        LOG.warn("node {} may have been declared gone by the others ({}): closing its sessions with 1012 and serving no"
                + " client until it has re-entered the cluster", context.id, why);
        try {
            watch.execute(hooks::closeLocalSessions);
        } catch (RejectedExecutionException e) {
            LOG.debug("node {} is closing", context.id);
        }
        return entered;
    }

    private void tryLeave(Spell current, long now) {
        if (current.servingAt != Long.MAX_VALUE) {
            if (now >= current.servingAt) {
                leave(current);
            }
            return;
        }
        String outcome = null;
        if (current.merged) {
            outcome = "merged back";
        } else if (now - current.since > confirmNanos && memberUuids().equals(current.members)) {
            outcome = "the others never declared it gone";
        } else if (now - current.since > rejoinNanos) {
            InetSocketAddress answering = now - current.since < REJOIN_CAP * rejoinNanos ? current.peers.answering(now) : null;
            if (answering == null) {
                outcome = "no cluster to merge with";
            } else if (!current.waitLogged) {
                current.waitLogged = true;
                LOG.info("node {}: no merge within {} ms, but {} of its last view still answers: waiting for the merge"
                        + " (at most {} ms in all)", context.id, TimeUnit.NANOSECONDS.toMillis(rejoinNanos), answering,
                        TimeUnit.NANOSECONDS.toMillis(REJOIN_CAP * rejoinNanos));
            }
        }
        if (outcome == null) {
            return;
        }
        hooks.reconcileNow("re-entering after quarantine: " + outcome);
        current.servingAt = System.nanoTime() + (current.merged ? SETTLE.toNanos() : 0);
        LOG.info("node {} re-entered the cluster ({}); serving clients again in {} ms", context.id, outcome,
                current.merged ? SETTLE.toMillis() : 0);
    }

    private synchronized void leave(Spell current) {
        if (spell == current) {
            spell = null;
            LOG.info("node {} serves clients again ({} ms after it entered quarantine)", context.id,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - current.since));
        }
    }

    private static List<InetSocketAddress> othersOf(Set<Member> members) {
        List<InetSocketAddress> others = new ArrayList<>(members.size());
        for (Member member : members) {
            if (!member.localMember()) {
                others.add(member.getSocketAddress());
            }
        }
        return others;
    }

    private Set<String> memberUuids() {
        Set<String> uuids = new HashSet<>();
        for (Member member : context.hazelcast.getCluster().getMembers()) {
            uuids.add(member.getUuid().toString());
        }
        return uuids;
    }
}
