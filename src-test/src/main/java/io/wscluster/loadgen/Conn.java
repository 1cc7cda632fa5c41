package io.wscluster.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One client WebSocket connection on an {@link IoLoop}: non-blocking, no per-frame objects.
 *
 * <p>Reads happen on the loop's thread only. Writes may come from any thread: {@link #send} writes
 * straight to the socket under this object's monitor and only when the kernel buffer is full keeps
 * the rest and asks the loop for OP_WRITE. Frames the server sends are parsed in the loop's shared
 * read buffer; only an incomplete tail is copied into this connection's own small buffer.
 */
final class Conn {

    static final int CONNECTING = 0;
    static final int HANDSHAKE = 1;
    static final int OPEN = 2;
    static final int CLOSED = 3;

    final int index;
    final String user;
    final InetSocketAddress address;
    final IoLoop loop;
    volatile int state = CONNECTING;
    SocketChannel channel;
    SelectionKey key;
    long connectStartNanos;
    long openNanos;
    /** Incomplete bytes carried to the next read (loop thread only). */
    byte[] carry = new byte[0];
    int carryLength;
    /** A fragmented text message being reassembled (rare; loop thread only). */
    byte[] fragments;
    int fragmentsLength;
    /** Bytes the kernel did not take yet, in write mode; guarded by this. */
    private ByteBuffer pending;
    /** Scenario state of this connection as a receiver. */
    Object receiver;
    int closeCode = -1;
    /** Whether the handler heard of this connection's end (loop thread only). */
    boolean reported;

    Conn(int index, String user, InetSocketAddress address, IoLoop loop) {
        this.index = index;
        this.user = user;
        this.address = address;
        this.loop = loop;
    }

    boolean isOpen() {
        return state == OPEN;
    }

    byte[] handshake(String path) {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + address.getHostString() + ":" + address.getPort() + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        return request.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Writes bytes (one or more complete frames); never blocks.
     *
     * @return false if the connection is not open
     */
    boolean send(byte[] bytes, int offset, int length) {
        synchronized (this) {
            if (state == CLOSED || channel == null) {
                return false;
            }
            try {
                if (pending != null && pending.position() > 0) {
                    appendPending(bytes, offset, length);
                    return true;
                }
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
                channel.write(buffer);
                if (buffer.hasRemaining()) {
                    appendPending(bytes, buffer.position(), buffer.remaining());
                    loop.wantWrite(this);
                }
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    private void appendPending(byte[] bytes, int offset, int length) {
        if (pending == null) {
            pending = ByteBuffer.allocate(Math.max(4096, length * 2));
        } else if (pending.remaining() < length) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + length));
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        pending.put(bytes, offset, length);
    }

    /** Called by the loop on OP_WRITE. @return true when nothing is left */
    boolean flush() throws IOException {
        synchronized (this) {
            if (pending == null || pending.position() == 0) {
                return true;
            }
            pending.flip();
            channel.write(pending);
            pending.compact();
            return pending.position() == 0;
        }
    }

    /** Keeps bytes for the next read. */
    void keep(byte[] a, int from, int to) {
        int n = to - from;
        if (carry.length < n) {
            carry = new byte[Math.max(n, 512)];
        }
        System.arraycopy(a, from, carry, 0, n);
        carryLength = n;
    }

    void appendFragment(byte[] a, int from, int length) {
        if (fragments == null) {
            fragments = new byte[Math.max(1024, length * 2)];
        } else if (fragments.length < fragmentsLength + length) {
            fragments = java.util.Arrays.copyOf(fragments, (fragmentsLength + length) * 2);
        }
        System.arraycopy(a, from, fragments, fragmentsLength, length);
        fragmentsLength += length;
    }

    /** Sends a close frame (code 1000) and closes the socket. */
    void close() {
        synchronized (this) {
            if (state == CLOSED) {
                return;
            }
            if (state == OPEN && channel != null) {
                byte[] frame = Frames.close(1000);
                try {
                    channel.write(ByteBuffer.wrap(frame));
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            state = CLOSED;
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }
}
