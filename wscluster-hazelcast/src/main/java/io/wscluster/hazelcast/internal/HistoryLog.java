package io.wscluster.hazelcast.internal;

import io.wscluster.HistoryMessage;
import io.wscluster.Message;
import io.wscluster.Position;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.wscluster.hazelcast.internal.WireFormat.expectFormat;
import static io.wscluster.hazelcast.internal.WireFormat.readBytes;
import static io.wscluster.hazelcast.internal.WireFormat.readNullable;
import static io.wscluster.hazelcast.internal.WireFormat.readString;
import static io.wscluster.hazelcast.internal.WireFormat.writeBytes;
import static io.wscluster.hazelcast.internal.WireFormat.writeNullable;
import static io.wscluster.hazelcast.internal.WireFormat.writeString;

/**
 * One history room's sequence as stored in {@value #MAP} (room to encoded log): its epoch, the
 * offset of its latest message, when it was last touched, and the messages it still holds, oldest
 * first. Immutable; {@link HistoryAppend} makes the next one.
 *
 * @param epoch   the sequence's epoch
 * @param latest  the offset of the latest message numbered in this epoch (0 before the first)
 * @param touched when the sequence was opened or last appended to, epoch milliseconds
 * @param entries the messages held, offsets ascending and contiguous, the last one at {@code latest}
 * @param previous the epoch this one replaced at a split-brain merge, whose messages may still be in
 *                 flight to the nodes; null if it replaced none that could be (a new or expired
 *                 sequence, or one whose every holder died)
 * @param previousLatest the offset of the previous epoch's last message (0 without a previous epoch)
 */
record HistoryLog(String epoch, long latest, long touched, List<Entry> entries, String previous, long previousLatest) {

    /** A log with no previous epoch. */
    HistoryLog(String epoch, long latest, long touched, List<Entry> entries) {
        this(epoch, latest, touched, entries, null, 0);
    }

    /** The map of room sequences; one backup by default, so one member's loss loses none. */
    static final String MAP = "wsc.history";
    static final byte FORMAT = 1;

    /**
     * One message held.
     *
     * @param offset   its offset
     * @param millis   when the sequencer numbered it
     * @param batch    the id of the append that numbered it (a retried append is recognised by it)
     * @param excluded the session the send excluded, or null
     * @param message  the message as sent
     */
    record Entry(long offset, long millis, long batch, String excluded, Message message) {

        HistoryMessage toHistoryMessage(String epoch) {
            return new HistoryMessage(new Position(offset, epoch), message, millis);
        }
    }

    /** @return true if the sequence saw no append or open for longer than {@code ttlMillis} at {@code now} */
    boolean expired(long now, long ttlMillis) {
        return now - touched > ttlMillis;
    }

    /** @return the entries not older than {@code ttlMillis} at {@code now} */
    List<Entry> visible(long now, long ttlMillis) {
        int from = 0;
        while (from < entries.size() && now - entries.get(from).millis() > ttlMillis) {
            from++;
        }
        return entries.subList(from, entries.size());
    }

    /** @return the position of the latest message (offset 0 before the first) */
    Position position() {
        return new Position(latest, epoch);
    }

    byte[] encode() {
        return WireFormat.write(out -> {
            out.writeByte(FORMAT);
            writeString(out, epoch);
            out.writeLong(latest);
            out.writeLong(touched);
            writeNullable(out, previous);
            out.writeLong(previousLatest);
            out.writeInt(entries.size());
            for (Entry e : entries) {
                writeEntry(out, e);
            }
        });
    }

    static HistoryLog decode(byte[] bytes) {
        return WireFormat.read(bytes, in -> {
            expectFormat(in, FORMAT, "room history");
            String epoch = readString(in);
            long latest = in.readLong();
            long touched = in.readLong();
            String previous = readNullable(in);
            long previousLatest = in.readLong();
            int count = in.readInt();
            List<Entry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                entries.add(readEntry(in));
            }
            return new HistoryLog(epoch, latest, touched, List.copyOf(entries), previous, previousLatest);
        });
    }

    /** Writes an entry, prefixed by its length so that {@link HistoryAppend} can skip it unread. */
    static void writeEntry(DataOutputStream out, Entry e) throws IOException {
        byte[] body = WireFormat.write(o -> {
            o.writeLong(e.offset());
            o.writeLong(e.millis());
            o.writeLong(e.batch());
            writeNullable(o, e.excluded());
            o.writeBoolean(e.message().isText());
            writeBytes(o, e.message().payloadBytes());
        });
        out.writeInt(body.length);
        out.write(body);
    }

    static Entry readEntry(DataInputStream in) throws IOException {
        in.readInt();
        long offset = in.readLong();
        long millis = in.readLong();
        long batch = in.readLong();
        String excluded = readNullable(in);
        boolean text = in.readBoolean();
        byte[] payload = readBytes(in);
        Message message = text ? Message.text(new String(payload, StandardCharsets.UTF_8)) : Message.wrapBinary(payload);
        return new Entry(offset, millis, batch, excluded, message);
    }
}
