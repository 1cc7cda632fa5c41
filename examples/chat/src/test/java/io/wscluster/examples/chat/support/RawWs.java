package io.wscluster.examples.chat.support;

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
 * A WebSocket client on a plain socket, for what client libraries will not send: exact HTTP statuses
 * of refused handshakes, fragmented messages, invalid UTF-8, binary and oversized frames, and the
 * exact close code the server answers with.
 */
public final class RawWs implements AutoCloseable {

    /** Text frame opcode. */
    public static final int TEXT = 0x1;
    /** Binary frame opcode. */
    public static final int BINARY = 0x2;
    /** Continuation frame opcode. */
    public static final int CONTINUATION = 0x0;
    /** Close frame opcode. */
    public static final int CLOSE = 0x8;

    /** A frame from the server. */
    public record Frame(int opcode, boolean fin, byte[] payload) {
        /** @return the payload as UTF-8 text */
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** @return the close code of a close frame, 1005 if it has none */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }

        /** @return the close reason of a close frame */
        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private final Socket socket;
    private final int status;
    private final Map<String, String> headers;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWs(Socket socket, int status, Map<String, String> headers) throws IOException {
        this.socket = socket;
        this.status = status;
        this.headers = headers;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Sends a WebSocket handshake and reads the response head.
     *
     * @param port         the server port on 127.0.0.1
     * @param pathAndQuery the request target
     * @return the connection; check {@link #status()}
     */
    public static RawWs connect(int port, String pathAndQuery) {
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            String request = "GET " + pathAndQuery + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
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
                s.close();
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
            return new RawWs(s, status, headers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The HTTP status of a handshake, the connection closed at once.
     *
     * @param port         the server port
     * @param pathAndQuery the request target
     * @return the status
     */
    public static int handshakeStatus(int port, String pathAndQuery) {
        try (RawWs ws = connect(port, pathAndQuery)) {
            return ws.status();
        }
    }

    /** @return the HTTP status of the handshake (101 when upgraded) */
    public int status() {
        return status;
    }

    /** @return the response headers, lower-case names */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * Sends one masked frame.
     *
     * @param fin     final fragment
     * @param opcode  the opcode
     * @param payload the payload
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
            out.write(frame.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param text sent as one text frame */
    public void sendText(String text) {
        sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads the next frame.
     *
     * @return the frame
     * @throws UncheckedIOException if the socket closed or timed out
     */
    public Frame readFrame() {
        try {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            if ((b1 & 0x80) != 0) {
                in.readInt(); // servers do not mask, but skip a mask if one is there
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads frames until the server's close frame.
     *
     * @return the close frame, or null if the socket ended without one (1006)
     */
    public Frame awaitClose() {
        while (true) {
            try {
                Frame f = readFrame();
                if (f.opcode() == CLOSE) {
                    return f;
                }
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof EOFException || e.getCause() instanceof SocketTimeoutException
                        || e.getCause() instanceof java.net.SocketException) {
                    return null;
                }
                throw e;
            }
        }
    }

    /**
     * Reads frames until a text frame arrives.
     *
     * @return its text
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

    /** @return the socket */
    public Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
