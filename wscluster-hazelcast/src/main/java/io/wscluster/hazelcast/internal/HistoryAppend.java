package io.wscluster.hazelcast.internal;

import com.hazelcast.map.EntryProcessor;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 *
 * <p>Partitions. While the cluster is split, each side that holds a replica of the room's log (its
 * owner or its backup) runs this step on its own copy, so both sides can number different messages
 * with the same offsets of one epoch; a side with no replica opens a new epoch. Nothing here can
 * tell a partition from the death of the other side, so the ambiguity is settled when the logs meet
 * again: {@link HistoryMerge} keeps the larger side's log if the smaller side numbered nothing in
 * its epoch since the split, and restarts the sequence with a new epoch otherwise. The guarantee
 * this gives a resuming client (recovered exactly, or refused with a new epoch; never a silent gap)
 * is in the README, "History across a partition", and tested by {@code HistoryPartitionTest}.
 *
 * <p>Cost: the held messages are not decoded; the step reads the log's header and each entry's
 * length, offset, time and batch id, and copies the kept bytes once.
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
     * @param messages   the batch as an encoded {@link HistoryBatch} without offsets; no entries to open
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
        Layout log = entry.getValue() == null ? null : new Layout(entry.getValue());
        HistoryBatch incoming = HistoryBatch.decodeBatch(messages);
        if (log != null && !incoming.entries().isEmpty()) {
            for (int i = 0; i < log.count; i++) {
                if (log.batches[i] == batch) {
                    return log.offsets[i] + " " + log.epoch;
                }
            }
        }
        boolean restart = log == null || now - log.touched > ttlMillis;
        if (incoming.entries().isEmpty()) {
            if (!restart) {
                return entry.getValue();
            }
            byte[] opened = new HistoryLog(freshEpoch, 0, now, java.util.List.of()).encode();
            entry.setValue(opened);
            return opened;
        }
        String epoch = restart ? freshEpoch : log.epoch;
        long latest = restart ? 0 : log.latest;
        int held = restart ? 0 : log.count;
        long millis = held == 0 ? now : Math.max(now, log.millis[held - 1]);
        long first = latest + 1;
        int total = held + incoming.entries().size();
        int from = Math.max(0, total - size);
        while (from < held && millis - log.millis[from] > ttlMillis) {
            from++;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (held == 0 ? 0 : log.end - log.starts[Math.min(from, held - 1)])
                + messages.length * 2);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(HistoryLog.FORMAT);
            WireFormat.writeString(out, epoch);
            out.writeLong(latest + incoming.entries().size());
            out.writeLong(millis);
            // a restarted sequence replaced nothing still in flight (the old one was idle for the TTL)
            WireFormat.writeNullable(out, restart ? null : log.previous);
            out.writeLong(restart ? 0 : log.previousLatest);
            out.writeInt(total - from);
            if (from < held) {
                out.write(log.bytes, log.starts[from], log.end - log.starts[from]);
            }
            long offset = latest;
            int skip = Math.max(0, from - held);
            for (HistoryLog.Entry e : incoming.entries()) {
                offset++;
                if (skip-- > 0) {
                    continue;
                }
                HistoryLog.writeEntry(out, new HistoryLog.Entry(offset, millis, batch, e.excluded(), e.message()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        entry.setValue(bytes.toByteArray());
        return first + " " + epoch;
    }

    /** A stored log's header and where each entry starts, read without decoding the messages. */
    private static final class Layout {
        final byte[] bytes;
        final String epoch;
        final long latest;
        final long touched;
        final String previous;
        final long previousLatest;
        final int count;
        final int[] starts;
        final long[] offsets;
        final long[] millis;
        final long[] batches;
        final int end;

        Layout(byte[] bytes) {
            this.bytes = bytes;
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.get() != HistoryLog.FORMAT) {
                throw new IllegalArgumentException("room history has another format; are nodes of different wscluster versions in one cluster?");
            }
            byte[] epochBytes = new byte[in.getInt()];
            in.get(epochBytes);
            this.epoch = new String(epochBytes, StandardCharsets.UTF_8);
            this.latest = in.getLong();
            this.touched = in.getLong();
            if (in.get() != 0) {
                byte[] previousBytes = new byte[in.getInt()];
                in.get(previousBytes);
                this.previous = new String(previousBytes, StandardCharsets.UTF_8);
            } else {
                this.previous = null;
            }
            this.previousLatest = in.getLong();
            this.count = in.getInt();
            this.starts = new int[count];
            this.offsets = new long[count];
            this.millis = new long[count];
            this.batches = new long[count];
            for (int i = 0; i < count; i++) {
                starts[i] = in.position();
                int length = in.getInt();
                int body = in.position();
                offsets[i] = in.getLong();
                millis[i] = in.getLong();
                batches[i] = in.getLong();
                in.position(body + length);
            }
            this.end = in.position();
        }
    }
}
