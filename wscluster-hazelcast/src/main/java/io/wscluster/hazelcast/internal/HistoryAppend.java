package io.wscluster.hazelcast.internal;

import com.hazelcast.map.EntryProcessor;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sequencer's step, run by Hazelcast on the member that owns the room's partition (and, with
 * the same inputs, on each backup): numbers a batch of messages with the room's next offsets and
 * stores them, trimmed to the rule's size and age. An empty batch opens the sequence (creates it,
 * or restarts an expired one) and returns the log, which is how a join reads its cut.
 *
 * <p>Deterministic by construction: the time, the batch id and the epoch a restart takes are
 * chosen by the caller, so the backup that re-runs the step computes the same log. A batch whose
 * id the log already holds (an append retried after its first attempt was applied, say when the
 * owner died before answering) is not numbered twice: its first offset is returned.
 */
final class HistoryAppend implements EntryProcessor<String, byte[], Object>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final long batch;
    private final long now;
    private final int size;
    private final long ttlMillis;
    private final String freshEpoch;
    private final byte[] messages;

    /**
     * @param batch      a random id of this batch
     * @param now        the sender's clock, epoch milliseconds
     * @param size       the rule's size
     * @param ttlMillis  the rule's age limit
     * @param freshEpoch the epoch a new or restarted sequence takes
     * @param messages   the batch, as {@link HistoryLog.Entry} records without offset and time; empty to open
     */
    HistoryAppend(long batch, long now, int size, long ttlMillis, String freshEpoch, byte[] messages) {
        this.batch = batch;
        this.now = now;
        this.size = size;
        this.ttlMillis = ttlMillis;
        this.freshEpoch = freshEpoch;
        this.messages = messages;
    }

    /**
     * @return for an append, {@code "firstOffset epoch"}; for an open, the encoded log
     */
    @Override
    public Object process(Map.Entry<String, byte[]> entry) {
        byte[] held = entry.getValue();
        HistoryLog log = held == null ? null : HistoryLog.decode(held);
        List<HistoryLog.Entry> batchEntries = HistoryBatch.decode(messages);
        if (log != null && !batchEntries.isEmpty()) {
            for (HistoryLog.Entry e : log.entries()) {
                if (e.batch() == batch) {
                    return e.offset() + " " + log.epoch();
                }
            }
        }
        boolean restart = log == null || log.expired(now, ttlMillis);
        if (batchEntries.isEmpty()) {
            if (restart) {
                log = new HistoryLog(freshEpoch, 0, now, List.of());
                entry.setValue(log.encode());
            }
            return log.encode();
        }
        String epoch = restart ? freshEpoch : log.epoch();
        long latest = restart ? 0 : log.latest();
        List<HistoryLog.Entry> kept = new ArrayList<>(restart ? List.of() : log.entries());
        long millis = kept.isEmpty() ? now : Math.max(now, kept.get(kept.size() - 1).millis());
        long first = latest + 1;
        for (HistoryLog.Entry e : batchEntries) {
            kept.add(new HistoryLog.Entry(++latest, millis, batch, e.excluded(), e.message()));
        }
        int from = Math.max(0, kept.size() - size);
        while (from < kept.size() - 1 && millis - kept.get(from).millis() > ttlMillis) {
            from++;
        }
        entry.setValue(new HistoryLog(epoch, latest, millis, List.copyOf(kept.subList(from, kept.size()))).encode());
        return first + " " + epoch;
    }
}
