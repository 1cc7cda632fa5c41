package io.wscluster.hazelcast.internal;

import com.hazelcast.map.IMap;
import com.hazelcast.topic.ITopic;
import io.wscluster.ClusterException;
import io.wscluster.Delivery;
import io.wscluster.HistoryMessage;
import io.wscluster.HistorySettings;
import io.wscluster.JoinResult;
import io.wscluster.Message;
import io.wscluster.NodeId;
import io.wscluster.Position;
import io.wscluster.Replay;
import io.wscluster.SessionId;
import io.wscluster.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Room history on this node: which rooms keep one, this node's {@link RoomStream} per history room
 * with local members, joins with replay, reads, and the history inbox {@code wsc.h.<node id>}.
 * Rooms that match no rule never reach this class: they keep the one-hop route of {@link Router}.
 *
 * <p>Threads. History has its own: one for inbound batches, one for gap-fill timers and log reads,
 * a small pool for appends (blocking calls, see {@link HistorySender}). So neither the shared
 * maintenance thread (busy for seconds after a split-brain merge) nor the inbound thread waits for
 * history, and a read that blocks during a migration delays no delivery. Joins run on the caller's thread (or the requests thread for a
 * remote caller), as plain joins do. See {@link RoomStream} for the ordering argument.
 */
final class RoomHistory implements RoomStream.Node {

    private static final Logger LOG = LoggerFactory.getLogger(RoomHistory.class);
    /** How long a gap waits before the log is read to fill it. */
    static final long FILL_DELAY_MILLIS = 25;
    private static final int SEAM_ATTEMPTS = 10;
    private static final int APPEND_THREADS = 4;

    /** Membership change outcomes from {@link RoomMembership}. */
    static final int NOT_OPEN = 0;
    static final int CHANGED = 1;
    static final int UNCHANGED = 2;

    private final NodeContext context;
    private final SessionRegistry registry;
    private final HistorySettings settings;
    private final IMap<String, byte[]> log;
    private final HistorySender sender;
    private final Map<String, RoomStream> streams = new ConcurrentHashMap<>();
    private final Map<NodeId, ITopic<byte[]>> inboxes = new ConcurrentHashMap<>();
    private final ExecutorService inbound;
    private final ScheduledExecutorService reads;
    private final ExecutorService appends;
    private final LongAdder replaysServed = new LongAdder();
    private final LongAdder messagesReplayed = new LongAdder();
    private final LongAdder recoveriesRefused = new LongAdder();

    RoomHistory(NodeContext context, SharedTables tables, SessionRegistry registry, LiveNodes live, HistorySettings settings) {
        this.context = context;
        this.registry = registry;
        this.settings = settings;
        this.log = context.hazelcast.getMap(HistoryLog.MAP);
        this.inbound = Executors.newSingleThreadExecutor(named("wsc-history-in-" + context.id));
        this.reads = Executors.newSingleThreadScheduledExecutor(named("wsc-history-reads-" + context.id));
        this.appends = Executors.newFixedThreadPool(APPEND_THREADS, named("wsc-history-appends-" + context.id));
        this.sender = new HistorySender(context, tables, live, this);
    }

    /** Listens on this node's history inbox; returns what stops listening. */
    Runnable listen() {
        if (!settings.enabled()) {
            return this::shutdown;
        }
        ITopic<byte[]> inbox = inbox(context.id);
        UUID id = inbox.addMessageListener(m -> {
            byte[] bytes = m.getMessageObject();
            try {
                inbound.execute(() -> receive(bytes));
            } catch (RejectedExecutionException e) {
                LOG.debug("history batch dropped: node {} is closing", context.id);
            }
        });
        return () -> {
            inbox.removeMessageListener(id);
            shutdown();
        };
    }

    /** @return the rule of a history room, or empty for a room without history */
    Optional<HistorySettings.Rule> ruleFor(String room) {
        return settings.enabled() ? settings.ruleFor(room) : Optional.empty();
    }

    CompletionStage<Delivery> send(Target target, Message message, HistorySettings.Rule rule) {
        return sender.send(target, message, rule);
    }

    /**
     * Joins a local session to a history room through the seam (see {@link RoomStream}).
     *
     * @param membership writes the membership and waits for the join barrier; returns
     *                   {@link #NOT_OPEN}, {@link #CHANGED} or {@link #UNCHANGED}
     */
    JoinResult join(SessionId session, String room, Replay replay, HistorySettings.Rule rule, IntSupplier membership) {
        RoomStream stream = streams.compute(room, (r, s) -> {
            RoomStream held = s == null ? new RoomStream(r, this) : s;
            held.beginJoin();
            return held;
        });
        int outcome;
        try {
            outcome = membership.getAsInt();
        } catch (RuntimeException e) {
            abandon(stream);
            throw e;
        }
        if (outcome != CHANGED) {
            abandon(stream);
            return outcome == NOT_OPEN ? JoinResult.NOT_OPEN
                    : new JoinResult(true, Optional.ofNullable(stream.delivered()), Optional.empty(), 0);
        }
        try {
            for (int attempt = 1; ; attempt++) {
                HistoryLog opened = open(room, rule);
                ReplayPlan plan = ReplayPlan.of(opened, replay, context.ticker.wallMillis(), rule.ttl().toMillis());
                if (stream.seam(session, opened, plan.entries(), attempt == SEAM_ATTEMPTS) == RoomStream.Seam.DONE) {
                    if (!replay.isNone()) {
                        replaysServed.increment();
                    }
                    messagesReplayed.add(plan.entries().size());
                    if (plan.recovered().filter(r -> !r).isPresent()) {
                        recoveriesRefused.increment();
                    }
                    return new JoinResult(true, Optional.of(opened.position()), plan.recovered(), plan.entries().size());
                }
            }
        } catch (RuntimeException e) {
            abandon(stream);
            throw e;
        }
    }

    /** A local session left a history room (or closed). */
    void left(SessionId session, String room) {
        streams.computeIfPresent(room, (r, s) -> s.remove(session) ? null : s);
    }

    CompletionStage<List<HistoryMessage>> history(String room, int last) {
        Optional<HistorySettings.Rule> rule = ruleFor(room);
        if (rule.isEmpty() || last == 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        long ttl = rule.get().ttl().toMillis();
        return CompletableFuture.supplyAsync(() -> log.get(room), reads).thenApply(bytes -> {
            replaysServed.increment();
            if (bytes == null) {
                return List.<HistoryMessage>of();
            }
            HistoryLog held = HistoryLog.decode(bytes);
            List<HistoryLog.Entry> visible = held.visible(context.ticker.wallMillis(), ttl);
            return visible.subList(Math.max(0, visible.size() - last), visible.size()).stream()
                    .map(e -> e.toHistoryMessage(held.epoch())).toList();
        });
    }

    long historyRooms() {
        if (!settings.enabled()) {
            return 0;
        }
        try {
            return log.getLocalMapStats().getOwnedEntryCount();
        } catch (UnsupportedOperationException e) {
            return 0; // a client-mode node holds no partitions
        }
    }

    long replaysServed() {
        return replaysServed.sum();
    }

    long messagesReplayed() {
        return messagesReplayed.sum();
    }

    long recoveriesRefused() {
        return recoveriesRefused.sum();
    }

    // ---- for the sender and the streams --------------------------------------------------------

    IMap<String, byte[]> log() {
        return log;
    }

    ExecutorService appends() {
        return appends;
    }

    void offer(HistoryBatch batch) {
        RoomStream stream = streams.get(batch.room());
        if (stream != null) {
            stream.offer(batch);
        }
    }

    void publishTo(NodeId node, byte[] batch) {
        inbox(node).publish(batch);
        context.counters.envelopesOut.increment();
        context.counters.bytesOut.add(batch.length);
    }

    @Override
    public Collection<SessionId> members(String room, String excluded) {
        return registry.local().resolve(Target.Kind.ROOM, room, excluded);
    }

    @Override
    public void write(Collection<SessionId> to, Message message) {
        context.counters.localDeliveries.add(to.size());
        try {
            registry.delivery().deliver(to, message);
        } catch (RuntimeException e) {
            LOG.warn("local delivery to {} sessions failed", to.size(), e);
        }
    }

    @Override
    public Message stamp(String room, Position position, Message message) {
        return settings.stamp().stamp(room, position, message);
    }

    @Override
    public void requestFill(RoomStream stream) {
        try {
            reads.schedule(() -> {
                byte[] bytes = null;
                try {
                    bytes = log.get(stream.room());
                } catch (RuntimeException failure) {
                    LOG.debug("gap fill of room '{}' failed: {}", stream.room(), failure.toString());
                }
                stream.fill(bytes == null ? null : HistoryLog.decode(bytes));
            }, FILL_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("gap fill of room '{}' dropped: node {} is closing", stream.room(), context.id);
        }
    }

    @Override
    public long nanos() {
        return context.ticker.nanos();
    }

    @Override
    public long gapPatienceNanos() {
        return context.settings.requestTimeout().toNanos();
    }

    static String newEpoch() {
        return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    private HistoryLog open(String room, HistorySettings.Rule rule) {
        HistoryAppend open = new HistoryAppend(0, context.ticker.wallMillis(), rule.size(), rule.ttl().toMillis(),
                newEpoch(), new HistoryBatch(room, "", List.of()).encode());
        try {
            return HistoryLog.decode((byte[]) log.executeOnKey(room, open));
        } catch (RuntimeException e) {
            throw ClusterException.failed("opening the history of room '" + room + "'", e);
        }
    }

    private void shutdown() {
        inbound.shutdownNow();
        reads.shutdownNow();
        appends.shutdownNow();
    }

    private static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    private void abandon(RoomStream stream) {
        streams.computeIfPresent(stream.room(), (r, s) -> {
            s.abandonJoin();
            return s.idle() ? null : s;
        });
    }

    private void receive(byte[] bytes) {
        context.counters.envelopesIn.increment();
        context.counters.bytesIn.add(bytes.length);
        HistoryBatch batch;
        try {
            batch = HistoryBatch.decodeBatch(bytes);
        } catch (RuntimeException e) {
            LOG.warn("node {} dropped an undecodable history batch of {} bytes: {}", context.id, bytes.length, e.getMessage());
            return;
        }
        offer(batch);
    }

    private ITopic<byte[]> inbox(NodeId node) {
        return inboxes.computeIfAbsent(node, n -> context.hazelcast.getTopic(HistoryBatch.INBOX_PREFIX + n.value()));
    }
}
