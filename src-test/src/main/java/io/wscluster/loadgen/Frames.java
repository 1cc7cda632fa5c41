package io.wscluster.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** WebSocket framing (RFC 6455) for the client side, and cheap field lookups in JSON bytes. */
final class Frames {

    private Frames() {
    }

    /**
     * Builds a masked text frame around {@code payload[0..length)} into {@code out}.
     *
     * @return the frame's length
     */
    static int text(byte[] payload, int length, byte[] out, int mask) {
        int p = 0;
        out[p++] = (byte) 0x81;
        if (length < 126) {
            out[p++] = (byte) (0x80 | length);
        } else if (length < 65_536) {
            out[p++] = (byte) (0x80 | 126);
            out[p++] = (byte) (length >>> 8);
            out[p++] = (byte) length;
        } else {
            out[p++] = (byte) (0x80 | 127);
            for (int s = 56; s >= 0; s -= 8) {
                out[p++] = (byte) ((long) length >>> s);
            }
        }
        byte m0 = (byte) (mask >>> 24);
        byte m1 = (byte) (mask >>> 16);
        byte m2 = (byte) (mask >>> 8);
        byte m3 = (byte) mask;
        out[p++] = m0;
        out[p++] = m1;
        out[p++] = m2;
        out[p++] = m3;
        for (int i = 0; i < length; i++) {
            byte m = switch (i & 3) {
                case 0 -> m0;
                case 1 -> m1;
                case 2 -> m2;
                default -> m3;
            };
            out[p++] = (byte) (payload[i] ^ m);
        }
        return p;
    }

    /** @return a whole masked text frame for a string (not for the hot path) */
    static byte[] text(String s) {
        byte[] payload = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[payload.length + 14];
        int n = text(payload, payload.length, out, ThreadLocalRandom.current().nextInt());
        return java.util.Arrays.copyOf(out, n);
    }

    static byte[] close(int code) {
        byte[] payload = {(byte) (code >>> 8), (byte) code};
        byte[] out = new byte[8];
        out[0] = (byte) 0x88;
        out[1] = (byte) (0x80 | 2);
        int mask = ThreadLocalRandom.current().nextInt();
        for (int i = 0; i < 4; i++) {
            out[2 + i] = (byte) (mask >>> (24 - 8 * i));
        }
        out[6] = (byte) (payload[0] ^ out[2]);
        out[7] = (byte) (payload[1] ^ out[3]);
        return out;
    }

    static byte[] pong(byte[] a, int from, int length) {
        byte[] out = new byte[length + 6];
        out[0] = (byte) 0x8A;
        out[1] = (byte) (0x80 | length);
        // zero mask: the payload goes as is
        System.arraycopy(a, from, out, 6, length);
        return out;
    }

    /** @return the index of {@code needle} in {@code a[from..to)}, or -1 */
    static int indexOf(byte[] a, int from, int to, byte[] needle) {
        int last = to - needle.length;
        byte first = needle[0];
        outer:
        for (int i = from; i <= last; i++) {
            if (a[i] != first) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (a[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** @return whether {@code a[at..]} starts with {@code prefix} */
    static boolean startsWith(byte[] a, int at, int to, byte[] prefix) {
        if (to - at < prefix.length) {
            return false;
        }
        for (int j = 0; j < prefix.length; j++) {
            if (a[at + j] != prefix[j]) {
                return false;
            }
        }
        return true;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
