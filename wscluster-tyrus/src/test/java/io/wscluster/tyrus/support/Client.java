package io.wscluster.tyrus.support;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import org.glassfish.tyrus.client.ClientManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** A real Tyrus WebSocket client that records what it receives and how it was closed. */
public final class Client implements AutoCloseable {

    private static final ClientManager MANAGER = ClientManager.createClient();

    private final List<String> received = new CopyOnWriteArrayList<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private final Map<String, List<String>> responseHeaders = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Session session;

    private Client() {
    }

    /**
     * Connects.
     *
     * @param uri     the URI
     * @param headers extra handshake headers
     * @return the connected client
     */
    public static Client connect(URI uri, Map<String, String> headers) {
        Client client = new Client();
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> h) {
                        headers.forEach((k, v) -> h.put(k, new ArrayList<>(List.of(v))));
                    }

                    @Override
                    public void afterResponse(HandshakeResponse hr) {
                        client.responseHeaders.putAll(hr.getHeaders());
                    }
                }).build();
        try {
            client.session = MANAGER.connectToServer(new Endpoint() {
                @Override
                public void onOpen(Session s, EndpointConfig c) {
                    s.addMessageHandler(String.class, (MessageHandler.Whole<String>) client.received::add);
                    s.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) b ->
                            client.received.add("binary:" + StandardCharsets.UTF_8.decode(b)));
                }

                @Override
                public void onClose(Session s, CloseReason reason) {
                    client.closed.complete(reason);
                }
            }, config, uri);
        } catch (jakarta.websocket.DeploymentException e) {
            throw new IllegalStateException("handshake to " + uri + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return client;
    }

    /**
     * Connects without extra headers.
     *
     * @param uri the URI
     * @return the client
     */
    public static Client connect(URI uri) {
        return connect(uri, Map.of());
    }

    /** @param text sent as one text frame, synchronously */
    public void send(String text) {
        try {
            session.getBasicRemote().sendText(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends a request and waits for the first message that starts with {@code replyPrefix}.
     *
     * @return that message
     */
    public String request(String text, String replyPrefix) {
        int before = received.size();
        send(text);
        return await().atMost(10, TimeUnit.SECONDS).until(() -> received.stream().skip(before)
                .filter(m -> m.startsWith(replyPrefix)).findFirst().orElse(null), m -> m != null);
    }

    /**
     * The first value of a handshake response header.
     *
     * @param name the header name (case-insensitive)
     * @return its value, or null
     */
    public String responseHeader(String name) {
        for (Map.Entry<String, List<String>> e : responseHeaders.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    /** @return everything received so far (binary messages as {@code binary:} and their UTF-8 text) */
    public List<String> received() {
        return received;
    }

    /** @return completes with the close reason */
    public CompletableFuture<CloseReason> closed() {
        return closed;
    }

    /** @return the client-side session */
    public Session session() {
        return session;
    }

    @Override
    public void close() {
        try {
            if (session.isOpen()) {
                session.close();
            }
        } catch (IOException e) {
            // already gone
        }
    }
}
