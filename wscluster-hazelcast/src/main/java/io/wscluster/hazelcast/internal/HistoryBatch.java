package io.wscluster.hazelcast.internal;

import java.util.ArrayList;
import java.util.List;

import static io.wscluster.hazelcast.internal.WireFormat.readString;
import static io.wscluster.hazelcast.internal.WireFormat.writeString;

/**
 * Messages of one history room in flight, encoded: a batch for the sequencer (offsets not yet
 * given), or numbered messages a sender publishes to a receiving node's history inbox
 * ({@code wsc.h.<node id>}) with their room and epoch.
 *
 * @param room    the room
 * @param epoch   the epoch of the offsets, or empty for a batch not yet numbered
 * @param entries the messages, offsets ascending
 */
record HistoryBatch(String room, String epoch, List<HistoryLog.Entry> entries) {

    static final String INBOX_PREFIX = "wsc.h.";

    byte[] encode() {
        return WireFormat.write(out -> {
            writeString(out, room);
            writeString(out, epoch);
            out.writeInt(entries.size());
            for (HistoryLog.Entry e : entries) {
                HistoryLog.writeEntry(out, e);
            }
        });
    }

    static HistoryBatch decodeBatch(byte[] bytes) {
        return WireFormat.read(bytes, in -> {
            String room = readString(in);
            String epoch = readString(in);
            int count = in.readInt();
            List<HistoryLog.Entry> entries = new ArrayList<>(Math.min(count, 1024));
            for (int i = 0; i < count; i++) {
                entries.add(HistoryLog.readEntry(in));
            }
            return new HistoryBatch(room, epoch, entries);
        });
    }

    /** @return the entries of an encoded batch (for {@link HistoryAppend}) */
    static List<HistoryLog.Entry> decode(byte[] bytes) {
        return decodeBatch(bytes).entries();
    }
}
