package io.wscluster.loadgen;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread serving many client connections. Reads go into one shared buffer per loop and
 * are parsed in place; the handler sees each text message as a slice of that buffer, valid only
 * during the call. Nothing is allocated per frame.
 */
final class IoLoop implements Runnable {

    /** What a scenario does with connection events; every method runs on the loop's thread. */
    interface Handler {
        void onOpen(Conn conn);

        void onText(Conn conn, byte[] a, int from, int length);

        void onClosed(Conn conn, int code, String why);
    }

    private static final byte[] HEADER_END = Frames.ascii("\r\n\r\n");
    private static final byte[] STATUS_101 = Frames.ascii("HTTP/1.1 101");

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final String path;
    private volatile Handler handler;
    private volatile boolean running = true;
    private ByteBuffer read = ByteBuffer.allocate(256 * 1024);
    /** Stats of the scenario, touched by this loop's thread only. */
    final LoopStats stats = new LoopStats();

    IoLoop(String name, String path, Handler handler) throws IOException {
        this.selector = Selector.open();
        this.path = path;
        this.handler = handler;
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void handler(Handler handler) {
        this.handler = handler;
    }

    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Starts a connection; the handler hears onOpen or onClosed. */
    void connect(Conn conn) {
        execute(() -> {
            try {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                conn.channel = channel;
                conn.connectStartNanos = System.nanoTime();
                if (channel.connect(conn.address)) {
                    conn.key = channel.register(selector, SelectionKey.OP_READ, conn);
                    connected(conn);
                } else {
                    conn.key = channel.register(selector, SelectionKey.OP_CONNECT, conn);
                }
            } catch (IOException e) {
                fail(conn, -1, "connect: " + e);
            }
        });
    }

    void wantWrite(Conn conn) {
        execute(() -> {
            if (conn.key != null && conn.key.isValid()) {
                conn.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        });
    }

    void shutdown() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void run() {
        while (running) {
            try {
                selector.select(100);
            } catch (IOException e) {
                continue;
            }
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                Conn conn = (Conn) key.attachment();
                try {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isConnectable()) {
                        if (conn.channel.finishConnect()) {
                            key.interestOps(SelectionKey.OP_READ);
                            connected(conn);
                        }
                        continue;
                    }
                    if (key.isWritable() && conn.flush()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                    if (key.isReadable()) {
                        read(conn);
                    }
                } catch (IOException | RuntimeException e) {
                    fail(conn, -1, e.toString());
                }
            }
        }
    }

    private void connected(Conn conn) throws IOException {
        conn.state = Conn.HANDSHAKE;
        byte[] request = conn.handshake(path + "?user=" + conn.user);
        ByteBuffer b = ByteBuffer.wrap(request);
        while (b.hasRemaining()) {
            if (conn.channel.write(b) == 0) {
                throw new IOException("handshake did not fit the socket buffer");
            }
        }
    }

    private void read(Conn conn) throws IOException {
        ByteBuffer b = read;
        if (conn.carryLength + 16_384 > b.capacity()) {
            read = b = ByteBuffer.allocate(Integer.highestOneBit(conn.carryLength + 16_384) * 2);
        }
        b.clear();
        if (conn.carryLength > 0) {
            b.put(conn.carry, 0, conn.carryLength);
            conn.carryLength = 0;
        }
        int n = conn.channel.read(b);
        if (n < 0) {
            fail(conn, conn.closeCode > 0 ? conn.closeCode : 1006, "end of stream");
            return;
        }
        byte[] a = b.array();
        int end = b.position();
        int pos = 0;
        if (conn.state == Conn.HANDSHAKE) {
            int headerEnd = Frames.indexOf(a, 0, end, HEADER_END);
            if (headerEnd < 0) {
                conn.keep(a, 0, end);
                return;
            }
            if (!Frames.startsWith(a, 0, end, STATUS_101)) {
                int lineEnd = Frames.indexOf(a, 0, end, Frames.ascii("\r\n"));
                fail(conn, -2, "handshake refused: " + new String(a, 0, Math.max(0, lineEnd)));
                return;
            }
            conn.state = Conn.OPEN;
            conn.openNanos = System.nanoTime();
            pos = headerEnd + 4;
            handler.onOpen(conn);
        }
        pos = frames(conn, a, pos, end);
        if (conn.state != Conn.CLOSED && pos < end) {
            conn.keep(a, pos, end);
        }
    }

    private int frames(Conn conn, byte[] a, int pos, int end) throws IOException {
        while (end - pos >= 2 && conn.state != Conn.CLOSED) {
            int b0 = a[pos] & 0xff;
            int b1 = a[pos + 1] & 0xff;
            int opcode = b0 & 0x0f;
            boolean fin = (b0 & 0x80) != 0;
            boolean masked = (b1 & 0x80) != 0;
            long length = b1 & 0x7f;
            int header = 2;
            if (length == 126) {
                if (end - pos < 4) {
                    break;
                }
                length = ((a[pos + 2] & 0xff) << 8) | (a[pos + 3] & 0xff);
                header = 4;
            } else if (length == 127) {
                if (end - pos < 10) {
                    break;
                }
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (a[pos + 2 + i] & 0xff);
                }
                header = 10;
            }
            if (masked) {
                header += 4;
            }
            if (end - pos < header + length) {
                break;
            }
            int p = pos + header;
            int len = (int) length;
            if (masked) {
                for (int i = 0; i < len; i++) {
                    a[p + i] ^= a[p - 4 + (i & 3)];
                }
            }
            switch (opcode) {
                case 1 -> {
                    if (fin) {
                        stats.frames++;
                        handler.onText(conn, a, p, len);
                    } else {
                        conn.fragmentsLength = 0;
                        conn.appendFragment(a, p, len);
                    }
                }
                case 0 -> {
                    conn.appendFragment(a, p, len);
                    if (fin) {
                        stats.frames++;
                        handler.onText(conn, conn.fragments, 0, conn.fragmentsLength);
                        conn.fragmentsLength = 0;
                    }
                }
                case 8 -> {
                    int code = len >= 2 ? ((a[p] & 0xff) << 8) | (a[p + 1] & 0xff) : 1005;
                    String reason = len > 2 ? new String(a, p + 2, len - 2, java.nio.charset.StandardCharsets.UTF_8) : "";
                    conn.closeCode = code;
                    conn.close();
                    fail(conn, code, "closed by server: " + reason);
                }
                case 9 -> conn.send(Frames.pong(a, p, len), 0, len + 6);
                default -> {
                    // pong or binary: ignored
                }
            }
            pos = p + len;
        }
        return pos;
    }

    private void fail(Conn conn, int code, String why) {
        if (conn.reported) {
            return;
        }
        conn.reported = true;
        conn.close();
        if (conn.key != null) {
            conn.key.cancel();
        }
        handler.onClosed(conn, code, why);
    }
}
