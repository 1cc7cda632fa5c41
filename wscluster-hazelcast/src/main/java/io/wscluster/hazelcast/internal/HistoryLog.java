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
 */
record HistoryLog(String epoch, long latest, long touched, List<Entry> entries) {

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
            int count = in.readInt();
            List<Entry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                entries.add(readEntry(in));
            }
            return new HistoryLog(epoch, latest, touched, List.copyOf(entries));
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
