package io.wscluster.hazelcast.internal;

import io.wscluster.Message;
import io.wscluster.Position;
import io.wscluster.SessionId;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One history room as this node delivers it: the room's messages in offset order, to the local
 * members, each from the point where it joined.
 *
 * <p>Design notes: the seam between replay and live.
 * <ul>
 * <li><b>Where the sequence is assigned.</b> Only on the member that owns the room's partition of
 * {@value HistoryLog#MAP}, by {@link HistoryAppend} (an entry processor: one at a time per
 * partition). The sender routes the numbered message after the append returned, by its copy of
 * the routing table, to every node with members. So the offset order is the order of appends, and a
 * message's route is read after its append.</li>
 * <li><b>Order at a receiver.</b> Messages of several senders arrive in any order. This stream
 * delivers offset {@code expected} and holds anything above it; a gap that lasts is filled by
 * reading the log (off the delivery path, on the history thread). If the log trimmed the missing
 * offsets already (a burst longer than the history), the stream waits for the live copies for the
 * request timeout before it skips them, so a slow node does not lose messages still in flight.
 * Below {@code expected} is a duplicate and dropped.</li>
 * <li><b>How a join is ordered against the sequence.</b> The joining session's owner (1) makes this
 * stream exist before anything else, so that from then on every message routed here is kept; (2)
 * writes the membership and waits for the join barrier: every node's routing copy includes this
 * node; (3) opens the log (an append of nothing) and reads its latest offset {@code C}, the cut; (4)
 * under this stream's lock, adds the session with cursor {@code C} and writes the replay (at most
 * {@code C}) to it. Any message numbered after the read in (3) was appended after the barrier, so
 * its route includes this node and it arrives here; the stream delivers it to the session since it
 * is above the cursor. Any message at or below {@code C} is either in the replay or was before the
 * session's position. Live deliveries happen under the same lock as (4), after it, so replay comes
 * first. If the stream had delivered past {@code C} already (another member's messages arrived
 * between the read and the lock), the cut is stale: the owner reads again.</li>
 * <li><b>Owner change.</b> The log has one synchronous backup; when its owner leaves or dies the
 * backup is promoted with every acknowledged append, and an append in flight is retried by
 * Hazelcast on the new owner; its batch id stops it from being numbered twice. Offsets therefore
 * neither repeat nor skip across a migration. If every holder of a room's log dies, the next open
 * or append starts a new epoch at offset 1: streams switch to it, members' cursors go back to 0,
 * and messages of an older epoch that arrive later are dropped.</li>
 * <li><b>Split brain.</b> Both sides may number the room in one epoch; the merge restarts such a
 * sequence with a new epoch ({@link HistoryMerge}). Messages the larger side numbered just before
 * the merge may still be on their way when the first message of the new epoch arrives (another
 * sender's, or this node's own, which needs no hop), so a stream does not switch at the first sight
 * of a newer epoch: it holds the new epoch's messages and reads the log, whose header names the
 * epoch it replaced and that epoch's last offset. If that is the epoch this stream follows, it
 * delivers it up to that offset first (a copy that never comes is skipped after the gap patience,
 * as any gap whose log is gone), then switches and delivers what it held. If the log replaced
 * another epoch, or none (every holder died: nothing can be waited for), it switches at once; so it
 * does if no read of the log names the previous epoch within the gap patience.</li>
 * </ul>
 * Messages of a node's own sends reach it without any map operation beyond the append.
 */
final class RoomStream {

    /** What a stream needs from its node. */
    interface Node {
        /** @return the local sessions in the room, without the excluded one */
        Collection<SessionId> members(String room, String excluded);

        /** Writes a message to local sessions. */
        void write(Collection<SessionId> to, Message message);

        /** @return the message as the stamp renders it */
        Message stamp(String room, Position position, Message message);

        /** Schedules {@link #fill} with a fresh read of the log. */
        void requestFill(RoomStream stream);

        /** @return a monotonic reading in nanoseconds */
        long nanos();

        /** @return how long a gap may wait for its live copy once the log trimmed it */
        long gapPatienceNanos();
    }

    /** Outcome of {@link #seam}. */
    enum Seam { DONE, READ_AGAIN }

    private static final int RETIRED_EPOCHS = 8;

    private final String room;
    private final Node node;
    private final TreeMap<Long, HistoryLog.Entry> held = new TreeMap<>();
    private final List<HistoryBatch> early = new ArrayList<>();
    private final Map<SessionId, Long> cursors = new HashMap<>();
    private final ArrayDeque<String> retired = new ArrayDeque<>();
    private String epoch;
    private long expected;
    private long knownLatest;
    private long gapSince = -1;
    private int pendingJoins;
    private boolean fillRequested;
    /** A newer epoch seen live while this stream still follows {@link #epoch}; null if none. */
    private String nextEpoch;
    private final List<HistoryBatch> nextBatches = new ArrayList<>();
    private long nextSince;
    /** The followed epoch's last offset, once the next epoch's log named it; -1 while unknown. */
    private long drainTo = -1;

    RoomStream(String room, Node node) {
        this.room = room;
        this.node = node;
    }

    String room() {
        return room;
    }

    /** Takes live messages of the room (offsets ascending within the batch). */
    synchronized void offer(HistoryBatch batch) {
        if (epoch == null) {
            early.add(batch);
            return;
        }
        if (!batch.epoch().equals(epoch)) {
            if (retired.contains(batch.epoch())) {
                return;
            }
            if (nextEpoch == null || nextEpoch.equals(batch.epoch())) {
                // hold it until the log says where the followed epoch ended (see the note)
                if (nextEpoch == null) {
                    nextEpoch = batch.epoch();
                    nextSince = node.nanos();
                }
                nextBatches.add(batch);
                requestFill();
                return;
            }
            switchEpoch(batch.epoch());
        }
        hold(batch);
        drain();
        finishDrain();
    }

    private void hold(HistoryBatch batch) {
        for (HistoryLog.Entry e : batch.entries()) {
            if (e.offset() >= expected) {
                held.putIfAbsent(e.offset(), e);
                knownLatest = Math.max(knownLatest, e.offset());
            }
        }
    }

    /**
     * Fills gaps from a read of the log.
     *
     * @param log the log as read, or null if the room has none
     */
    synchronized void fill(HistoryLog log) {
        fillRequested = false;
        if (epoch == null) {
            return;
        }
        if (nextEpoch != null && drainTo < 0) {
            if (log != null && log.epoch().equals(nextEpoch) && epoch.equals(log.previous()) && log.previousLatest() >= expected) {
                drainTo = log.previousLatest();
                knownLatest = Math.max(knownLatest, drainTo);
            } else if ((log != null && !log.epoch().equals(epoch)) || node.nanos() - nextSince >= node.gapPatienceNanos()) {
                // the log replaced another epoch or none; or (no log, a failed read) nothing said it in time
                switchToNext();
                return;
            }
        }
        if (log != null && log.epoch().equals(epoch)) {
            for (HistoryLog.Entry e : log.entries()) {
                if (e.offset() >= expected) {
                    held.putIfAbsent(e.offset(), e);
                }
            }
            knownLatest = Math.max(knownLatest, log.latest());
            drain();
        }
        if (finishDrain()) {
            return;
        }
        if (held.isEmpty() && expected > knownLatest) {
            if (nextEpoch != null) {
                requestFill();
            }
            return;
        }
        // What is still missing is trimmed from the log, or of another epoch: wait for the live
        // copies for the patience, then skip.
        if (gapSince < 0) {
            gapSince = node.nanos();
        }
        if (node.nanos() - gapSince >= node.gapPatienceNanos()) {
            expected = held.isEmpty() ? knownLatest + 1 : held.firstKey();
            drain();
        }
        if (finishDrain()) {
            return;
        }
        if (!held.isEmpty() || expected <= knownLatest || nextEpoch != null) {
            requestFill();
        }
    }

    /** @return true if the followed epoch is delivered up to where the next one replaced it, and the stream switched */
    private boolean finishDrain() {
        if (nextEpoch == null || drainTo < 0 || expected <= drainTo) {
            return false;
        }
        switchToNext();
        return true;
    }

    private void switchToNext() {
        switchEpoch(nextEpoch);
        drain();
    }

    /** A join of a history room is under way on this node: keep every message from now on. */
    synchronized void beginJoin() {
        pendingJoins++;
    }

    /** A join ended without adding the session (it was not open). */
    synchronized void abandonJoin() {
        pendingJoins--;
    }

    /**
     * Adds a session at the cut read from the log and writes its replay first (step 4 of the note).
     *
     * @param session    the session
     * @param log        the log as the join opened it
     * @param replay     the messages to replay, all at or below the log's latest offset
     * @param finalTry   take the log's epoch even if the stream follows another one
     * @return {@link Seam#READ_AGAIN} if the cut is older than what this stream delivered
     */
    synchronized Seam seam(SessionId session, HistoryLog log, List<HistoryLog.Entry> replay, boolean finalTry) {
        boolean first = epoch == null;
        if (first) {
            epoch = log.epoch();
            expected = log.latest() + 1;
            knownLatest = log.latest();
        } else if (!epoch.equals(log.epoch())) {
            if (!finalTry) {
                return Seam.READ_AGAIN;
            }
            switchEpoch(log.epoch());
        } else if (expected - 1 > log.latest()) {
            return Seam.READ_AGAIN;
        }
        pendingJoins--;
        cursors.put(session, log.latest());
        for (HistoryLog.Entry e : replay) {
            node.write(List.of(session), node.stamp(room, new Position(e.offset(), log.epoch()), e.message()));
        }
        if (first) {
            List<HistoryBatch> waiting = new ArrayList<>(early);
            early.clear();
            waiting.forEach(this::offer);
        } else if (expected <= log.latest()) {
            fill(log);
        }
        return Seam.DONE;
    }

    /** @return the position of the last message delivered here, or null before the first join */
    synchronized Position delivered() {
        return epoch == null ? null : new Position(expected - 1, epoch);
    }

    /**
     * Removes a member.
     *
     * @return true if the stream has neither members nor joins under way and can go
     */
    synchronized boolean remove(SessionId session) {
        cursors.remove(session);
        return idle();
    }

    synchronized boolean idle() {
        return cursors.isEmpty() && pendingJoins == 0;
    }

    /** Follows another epoch from its start; messages held for it (if it was the next one) are kept. */
    private void switchEpoch(String next) {
        retire(epoch);
        List<HistoryBatch> waiting = next.equals(nextEpoch) ? List.copyOf(nextBatches) : List.of();
        if (!next.equals(nextEpoch)) {
            retire(nextEpoch);
        }
        nextEpoch = null;
        nextBatches.clear();
        drainTo = -1;
        epoch = next;
        expected = 1;
        knownLatest = 0;
        held.clear();
        gapSince = -1;
        cursors.replaceAll((s, c) -> 0L);
        waiting.forEach(this::hold);
    }

    private void retire(String old) {
        if (old != null) {
            retired.addLast(old);
            if (retired.size() > RETIRED_EPOCHS) {
                retired.removeFirst();
            }
        }
    }

    private void drain() {
        HistoryLog.Entry e;
        boolean moved = false;
        while ((e = held.remove(expected)) != null) {
            deliver(e);
            expected++;
            moved = true;
        }
        if (held.isEmpty()) {
            gapSince = -1;
        } else {
            if (moved || gapSince < 0) {
                gapSince = node.nanos();
            }
            requestFill();
        }
    }

    private void deliver(HistoryLog.Entry e) {
        Collection<SessionId> members = node.members(room, e.excluded());
        if (cursors.size() > members.size() + 1) {
            // Sessions that closed without leaving: forget them (this runs once per departure).
            cursors.keySet().removeIf(s -> !members.contains(s) && !s.value().equals(e.excluded()));
        }
        if (members.isEmpty()) {
            return;
        }
        List<SessionId> to = new ArrayList<>(members.size());
        for (SessionId s : members) {
            Long cursor = cursors.get(s);
            if (cursor != null && e.offset() > cursor) {
                to.add(s);
            }
        }
        if (!to.isEmpty()) {
            node.write(to, node.stamp(room, new Position(e.offset(), epoch), e.message()));
        }
    }

    private void requestFill() {
        if (!fillRequested) {
            fillRequested = true;
            node.requestFill(this);
        }
    }
}
