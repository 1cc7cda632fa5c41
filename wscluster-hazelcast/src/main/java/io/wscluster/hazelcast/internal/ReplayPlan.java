package io.wscluster.hazelcast.internal;

import io.wscluster.Position;
import io.wscluster.Replay;

import java.util.List;
import java.util.Optional;

/**
 * What a join replays, decided from the log as the join opened it: nothing, the last K messages,
 * or everything after a position if the log still holds all of it in the same epoch.
 *
 * @param entries   the messages to replay, oldest first, none above the log's latest offset
 * @param recovered for {@link Replay#since(Position)}: whether the history covered the gap
 */
record ReplayPlan(List<HistoryLog.Entry> entries, Optional<Boolean> recovered) {

    static ReplayPlan of(HistoryLog log, Replay replay, long now, long ttlMillis) {
        List<HistoryLog.Entry> visible = log.visible(now, ttlMillis);
        if (replay.last() > 0) {
            return new ReplayPlan(visible.subList(Math.max(0, visible.size() - replay.last()), visible.size()),
                    Optional.empty());
        }
        Optional<Position> since = replay.since();
        if (since.isEmpty()) {
            return new ReplayPlan(List.of(), Optional.empty());
        }
        Position p = since.get();
        if (!p.epoch().equals(log.epoch()) || p.offset() > log.latest()) {
            return refused();
        }
        if (p.offset() == log.latest()) {
            return new ReplayPlan(List.of(), Optional.of(true));
        }
        if (visible.isEmpty() || visible.get(0).offset() > p.offset() + 1) {
            return refused();
        }
        int from = (int) (p.offset() + 1 - visible.get(0).offset());
        return new ReplayPlan(visible.subList(from, visible.size()), Optional.of(true));
    }

    private static ReplayPlan refused() {
        return new ReplayPlan(List.of(), Optional.of(false));
    }
}
