package io.wscluster.hazelcast.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The primitives of wscluster's binary wire format, shared by the codec of each kind of value:
 * {@link SessionRecord}, {@link NodeRecord} and {@link RoutingEntry} (stored in Hazelcast maps),
 * {@link Envelope} (sent to one node's inbox) and {@link TopicEvent} (broadcast on the event topic).
 *
 * <p>Design notes: values cross the cluster as {@code byte[]}, which Hazelcast carries without a
 * serializer of ours, so a user's own HazelcastInstance needs no serialization config and no
 * application object is ever Java-serialized. Session and node records start with a format byte,
 * envelopes and events with their kind; a reader refuses a format or kind it does not know with a
 * clear message rather than misreading it. Strings
 * are length-prefixed UTF-8 ({@link DataOutputStream#writeUTF} is avoided: it caps at 64 KiB and
 * uses modified UTF-8). A reader refuses a count larger than the bytes left and bytes left over
 * after a value, so truncated or foreign bytes fail with {@link IllegalArgumentException}, never
 * with a huge allocation or a half-read value.
 */
final class WireFormat {

    private WireFormat() {
    }

    /** Writes one value to a stream. */
    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads one value from a stream. */
    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static <T> T read(byte[] bytes, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            T value = reader.read(in);
            if (in.available() > 0) {
                throw new IllegalArgumentException("trailing " + in.available() + " bytes after a wscluster record");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated wscluster record of " + bytes.length + " bytes", e);
        }
    }

    static void expectFormat(DataInputStream in, byte expected, String what) throws IOException {
        int format = in.readUnsignedByte();
        if (format != expected) {
            throw new IllegalArgumentException(what + " has format " + format + " but this version reads only " + expected
                    + "; are nodes of different wscluster versions in one cluster?");
        }
    }

    static <E extends Enum<E>> E enumAt(E[] values, int ordinal, String what) {
        if (ordinal >= values.length) {
            throw new IllegalArgumentException("unknown " + what + " " + ordinal);
        }
        return values[ordinal];
    }

    static int readCount(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > in.available()) {
            throw new IllegalArgumentException("corrupt wscluster record: count " + count + " with " + in.available() + " bytes left");
        }
        return count;
    }

    static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] bytes = new byte[readCount(in)];
        in.readFully(bytes);
        return bytes;
    }

    static void writeString(DataOutputStream out, String value) throws IOException {
        writeBytes(out, value.getBytes(StandardCharsets.UTF_8));
    }

    static String readString(DataInputStream in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    static void writeNullable(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            writeString(out, value);
        }
    }

    static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }
}
