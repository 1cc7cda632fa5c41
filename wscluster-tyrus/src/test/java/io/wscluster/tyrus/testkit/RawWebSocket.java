package io.wscluster.tyrus.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket, for what client libraries hide or will not send: the exact
 * HTTP status and headers of a refused handshake, custom request headers, a small receive buffer for
 * a client that never reads, fragmented messages, invalid UTF-8, binary, oversized or reserved
 * frames, and the exact close code the server answers with.
 *
 * <p>Connects to 127.0.0.1 with a 5 s connect timeout and a 10 s read timeout. I/O failures are
 * thrown as {@link UncheckedIOException}.
 */
public final class RawWebSocket implements AutoCloseable {

    /** Continuation frame opcode. */
    public static final int CONTINUATION = 0x0;
    /** Text frame opcode. */
    public static final int TEXT = 0x1;
    /** Binary frame opcode. */
    public static final int BINARY = 0x2;
    /** Close frame opcode. */
    public static final int CLOSE = 0x8;

    /** Code of a {@link Close} when the connection ended or timed out without a close frame. */
    public static final int NO_CLOSE_FRAME = -1;

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    /**
     * A frame from the server.
     *
     * @param opcode  the opcode
     * @param fin     whether it is the final fragment
     * @param payload the unmasked payload
     */
    public record Frame(int opcode, boolean fin, byte[] payload) {

        /** @return the payload as UTF-8 text */
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** @return the close code of a close frame, 1005 if it has none */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }

        /** @return the close reason of a close frame, empty if it has none */
        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    /**
     * How the server ended the connection.
     *
     * @param code   the close frame's code (1005 if it carried none), or {@link #NO_CLOSE_FRAME}
     * @param reason the close frame's reason, empty if none
     */
    public record Close(int code, String reason) {

        /** @return whether a close frame arrived (the code is not {@link #NO_CLOSE_FRAME}) */
        public boolean received() {
            return code != NO_CLOSE_FRAME;
        }
    }

    /**
     * The head of a handshake response.
     *
     * @param status  the HTTP status (101 when upgraded)
     * @param headers the response headers, lower-case names
     */
    public record Response(int status, Map<String, String> headers) {
    }

    private final Socket socket;
    private final Response response;
    private final String statusLine;
    // created on the first read: an idle connection holds no more than the socket and the response
    // head (IdleMemoryProbe counts these clients in the heap it measures)
    private DataInputStream in;

    private RawWebSocket(Socket socket, Head head) {
        this.socket = socket;
        this.response = head.response();
        this.statusLine = head.statusLine();
    }

    /**
     * Sends a WebSocket handshake and reads the response head; the socket stays open.
     *
     * @param port         the server port on 127.0.0.1
     * @param pathAndQuery the request target, e.g. {@code /chat?user=a}
     * @return the connection; {@link #status()} tells whether it was upgraded (101)
     */
    public static RawWebSocket connect(int port, String pathAndQuery) {
        return connect(port, pathAndQuery, Map.of(), 0);
    }

    /**
     * Sends a WebSocket handshake with extra request headers and reads the response head; the socket
     * stays open.
     *
     * @param port               the server port on 127.0.0.1
     * @param pathAndQuery       the request target
     * @param headers            extra request headers, e.g. {@code Origin}
     * @param receiveBufferBytes SO_RCVBUF to ask for before connecting, or 0 for the default
     * @return the connection; {@link #status()} tells whether it was upgraded (101)
     */
    public static RawWebSocket connect(int port, String pathAndQuery, Map<String, String> headers, int receiveBufferBytes) {
        Socket s = new Socket();
        try {
            if (receiveBufferBytes > 0) {
                s.setReceiveBufferSize(receiveBufferBytes);
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MILLIS);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            StringBuilder request = new StringBuilder()
                    .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(key)).append("\r\n")
                    .append("Sec-WebSocket-Version: 13\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            request.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new RawWebSocket(s, readHead(s.getInputStream(), pathAndQuery));
        } catch (IOException e) {
            closeQuietly(s);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    /**
     * Sends a handshake and closes the connection at once.
     *
     * @param port         the server port on 127.0.0.1
     * @param pathAndQuery the request target
     * @return the HTTP status of the response
     */
    public static int handshakeStatus(int port, String pathAndQuery) {
        return handshake(port, pathAndQuery, Map.of()).status();
    }

    /**
     * Sends a handshake with extra request headers and closes the connection at once.
     *
     * @param port         the server port on 127.0.0.1
     * @param pathAndQuery the request target
     * @param headers      extra request headers
     * @return the response head: status and headers
     */
    public static Response handshake(int port, String pathAndQuery, Map<String, String> headers) {
        try (RawWebSocket ws = connect(port, pathAndQuery, headers, 0)) {
            return ws.response();
        }
    }

    /**
     * A refused handshake as it came over the wire.
     *
     * @param statusLine     the response's status line, e.g. {@code HTTP/1.1 400 Bad Request}
     * @param status         the HTTP status
     * @param headers        the response headers, lower-case names
     * @param body           the body, read up to its {@code Content-Length} (empty without one)
     * @param closedByServer whether the server closed the socket after the response (a read saw
     *                       end of stream or a reset) within the read deadline
     */
    public record Refusal(String statusLine, int status, Map<String, String> headers, byte[] body,
                          boolean closedByServer) {

        /** @return the reason phrase of the status line, empty if it has none */
        public String reasonPhrase() {
            String[] parts = statusLine.split(" ", 3);
            return parts.length == 3 ? parts[2] : "";
        }
    }

    /**
     * Sends a handshake and reads the whole response: head, a body of {@code Content-Length} bytes,
     * then waits up to {@code closeDeadlineMillis} for the server to close the socket.
     *
     * @param port                the server port on 127.0.0.1
     * @param pathAndQuery        the request target
     * @param headers             extra request headers
     * @param closeDeadlineMillis how long to wait for the server's close after the response
     * @return what came back
     */
    public static Refusal refusal(int port, String pathAndQuery, Map<String, String> headers, int closeDeadlineMillis) {
        try (RawWebSocket ws = connect(port, pathAndQuery, headers, 0)) {
            InputStream in = ws.socket.getInputStream();
            String length = ws.headers().get("content-length");
            byte[] body = new byte[0];
            if (length != null) {
                body = new DataInputStream(in).readNBytes(Integer.parseInt(length));
            }
            ws.socket.setSoTimeout(closeDeadlineMillis);
            boolean closed;
            try {
                closed = in.read() < 0;
            } catch (SocketTimeoutException e) {
                closed = false;
            } catch (java.net.SocketException e) {
                closed = true; // reset by the server
            }
            return new Refusal(ws.statusLine, ws.status(), ws.headers(), body, closed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Head readHead(InputStream in, String pathAndQuery) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        if (lines.length == 0 || lines[0].isEmpty()) {
            throw new IOException("no HTTP response to the handshake for " + pathAndQuery);
        }
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return new Head(lines[0], new Response(status, headers));
    }

    private record Head(String statusLine, Response response) {
    }

    /** @return the HTTP status of the handshake (101 when upgraded) */
    public int status() {
        return response.status();
    }

    /** @return the handshake's response headers, lower-case names */
    public Map<String, String> headers() {
        return response.headers();
    }

    /** @return the handshake's response head: status and headers */
    public Response response() {
        return response;
    }

    /**
     * Sends one masked frame (client frames must be masked), with a random mask.
     *
     * @param fin     whether it is the final fragment
     * @param opcode  the opcode, e.g. {@link #TEXT} or {@link #CONTINUATION}; any 4-bit value
     * @param payload the payload, unmasked
     */
    public void sendFrame(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                frame.write((int) (((long) payload.length >>> (8 * i)) & 0xff));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.writeBytes(mask);
        byte[] masked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        frame.writeBytes(masked);
        try {
            OutputStream out = socket.getOutputStream();
            out.write(frame.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends one final text frame.
     *
     * @param text the payload, sent as UTF-8
     */
    public void sendText(String text) {
        sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads the next frame.
     *
     * @return the frame
     * @throws UncheckedIOException if the socket ended, failed or timed out
     */
    public Frame readFrame() {
        try {
            if (in == null) {
                in = new DataInputStream(socket.getInputStream());
            }
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] mask = null;
            if ((b1 & 0x80) != 0) {
                mask = new byte[4]; // servers do not mask, but unmask if they did
                in.readFully(mask);
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads frames until a text frame arrives, skipping others.
     *
     * @return its text
     * @throws AssertionError if a close frame arrives first
     */
    public String readText() {
        while (true) {
            Frame f = readFrame();
            if (f.opcode() == TEXT) {
                return f.text();
            }
            if (f.opcode() == CLOSE) {
                throw new AssertionError("closed with " + f.closeCode() + " " + f.closeReason() + " while a text frame was expected");
            }
        }
    }

    /**
     * Reads frames until the server's close frame, skipping others.
     *
     * @return the close frame's code and reason, or code {@link #NO_CLOSE_FRAME} if the connection
     *         ended or the read timed out without one
     * @throws UncheckedIOException on another I/O failure, e.g. a connection reset
     */
    public Close awaitClose() {
        while (true) {
            Frame f;
            try {
                f = readFrame();
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof EOFException || e.getCause() instanceof SocketTimeoutException) {
                    return new Close(NO_CLOSE_FRAME, "");
                }
                throw e;
            }
            if (f.opcode() == CLOSE) {
                return new Close(f.closeCode(), f.closeReason());
            }
        }
    }

    /** @return the underlying socket */
    public Socket socket() {
        return socket;
    }

    /** Closes the socket without a close frame; does nothing if it is already closed. */
    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
