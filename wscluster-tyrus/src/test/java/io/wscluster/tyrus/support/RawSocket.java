package io.wscluster.tyrus.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket handshake over a plain socket, for what a real client library hides: the exact HTTP
 * status and headers of a refusal, and a client that never reads after the upgrade.
 */
public final class RawSocket implements AutoCloseable {

    /** The response head: status and headers (lower-case names). */
    public record Response(int status, Map<String, String> headers) {
    }

    private final Socket socket;
    private final Response response;

    private RawSocket(Socket socket, Response response) {
        this.socket = socket;
        this.response = response;
    }

    /**
     * Sends a handshake and reads the response head; leaves the socket open.
     *
     * @param port           server port on 127.0.0.1
     * @param pathAndQuery   request target
     * @param headers        extra headers
     * @param receiveBuffer  SO_RCVBUF to ask for, or 0 for the default
     * @return the socket with the response head read
     */
    public static RawSocket handshake(int port, String pathAndQuery, Map<String, String> headers, int receiveBuffer) {
        try {
            Socket s = new Socket();
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder()
                    .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(new byte[16])).append("\r\n")
                    .append("Sec-WebSocket-Version: 13\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new RawSocket(s, readHead(s.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Handshake and close at once; returns the response head. */
    public static Response status(int port, String pathAndQuery, Map<String, String> headers) {
        try (RawSocket s = handshake(port, pathAndQuery, headers, 0)) {
            return s.response();
        }
    }

    private static Response readHead(InputStream in) throws IOException {
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
            throw new IOException("no HTTP response");
        }
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return new Response(status, headers);
    }

    /** @return the response head */
    public Response response() {
        return response;
    }

    /** @return the socket */
    public Socket socket() {
        return socket;
    }

    /**
     * Sends one masked text frame (client frames must be masked).
     *
     * @param text the payload
     */
    public void sendText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                frame.write((int) ((long) payload.length >>> (8 * i)) & 0xff);
            }
        }
        frame.writeBytes(new byte[4]); // zero mask: payload unchanged
        frame.writeBytes(payload);
        try {
            socket.getOutputStream().write(frame.toByteArray());
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
