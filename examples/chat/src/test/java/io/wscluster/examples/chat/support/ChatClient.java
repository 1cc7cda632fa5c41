package io.wscluster.examples.chat.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;


/**
 * A chat client on a real Tyrus WebSocket: sends frames as JSON, keeps every frame it receives (parsed
 * with Jackson) and how the connection closed.
 */
public final class ChatClient implements AutoCloseable {

    /** How long a test waits for a frame that must come. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ClientManager MANAGER = ClientManager.createClient();

    static {
        MANAGER.getProperties().put(ClientProperties.SHARED_CONTAINER, true);
        // Replies take milliseconds: poll often (Awaitility's default is every 100 ms).
        org.awaitility.Awaitility.setDefaultPollDelay(Duration.ZERO);
        org.awaitility.Awaitility.setDefaultPollInterval(Duration.ofMillis(5));
    }

    private final String user;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final List<String> raw = new CopyOnWriteArrayList<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private volatile Session session;

    private ChatClient(String user) {
        this.user = user;
    }

    /**
     * Connects.
     *
     * @param uri  the chat URI
     * @param user the user, for the test's own bookkeeping
     * @return the connected client
     */
    public static ChatClient connect(URI uri, String user) {
        ChatClient client = new ChatClient(user);
        try {
            client.session = MANAGER.connectToServer(new Endpoint() {
                @Override
                public void onOpen(Session s, EndpointConfig c) {
                    s.setMaxTextMessageBufferSize(16 * 1024 * 1024);
                    s.addMessageHandler(String.class, (MessageHandler.Whole<String>) client::onText);
                }

                @Override
                public void onClose(Session s, CloseReason reason) {
                    client.closed.complete(reason);
                }
            }, ClientEndpointConfig.Builder.create().build(), uri);
        } catch (DeploymentException e) {
            throw new IllegalStateException("handshake to " + uri + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        client.awaitRegistered();
        return client;
    }

    /**
     * Waits until the server has registered this connection in the cluster. The server writes the
     * handshake response before its endpoint's open handler registers the session, so for a moment a
     * connected client is not yet reachable by user; the server handles frames only after that handler,
     * so the first reply proves the registration. The reply is then forgotten.
     */
    private void awaitRegistered() {
        request("members", "op", "who", "room", "connect-probe");
        received.clear();
        raw.clear();
    }

    private void onText(String text) {
        raw.add(text);
        try {
            received.add(JSON.readTree(text));
        } catch (JsonProcessingException e) {
            received.add(JSON.createObjectNode().put("op", "!not-json").put("text", text));
        }
    }

    /** @return the user this client connected as */
    public String user() {
        return user;
    }

    /**
     * Builds a frame from key/value pairs, in order.
     *
     * @param keyValues key, value, key, value...
     * @return the JSON text
     */
    public static String frame(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        try {
            return JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** @param text sent as one text frame */
    public void sendText(String text) {
        try {
            session.getBasicRemote().sendText(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param keyValues sent as one JSON frame */
    public void send(Object... keyValues) {
        sendText(frame(keyValues));
    }

    /**
     * Sends a frame and waits for the first new frame with the given op.
     *
     * @return that frame
     */
    public JsonNode request(String op, Object... keyValues) {
        int before = received.size();
        send(keyValues);
        return awaitFrom(before, f -> op.equals(f.path("op").asText()));
    }

    /** Joins a room and waits for {@code joined}. */
    public void join(String room) {
        JsonNode reply = request("joined", "op", "join", "room", room);
        if (!room.equals(reply.path("room").asText())) {
            throw new AssertionError("joined the wrong room: " + reply);
        }
    }

    /** @return the users of {@code who room}, in the order received */
    public List<String> who(String room) {
        JsonNode reply = request("members", "op", "who", "room", room);
        List<String> users = new java.util.ArrayList<>();
        reply.path("users").forEach(u -> users.add(u.asText()));
        return users;
    }

    /**
     * Waits for a frame (received at any time) matching a condition.
     *
     * @return the first match
     */
    public JsonNode await(Predicate<JsonNode> condition) {
        return awaitFrom(0, condition);
    }

    /** Waits for a frame received at index {@code from} or later that matches. */
    public JsonNode awaitFrom(int from, Predicate<JsonNode> condition) {
        return org.awaitility.Awaitility.await().atMost(WAIT).until(() -> received.stream().skip(from).filter(condition).findFirst().orElse(null),
                f -> f != null);
    }

    /** @return frames received so far */
    public List<JsonNode> received() {
        return received;
    }

    /** @return frames received so far with the given op */
    public List<JsonNode> received(String op) {
        return received.stream().filter(f -> op.equals(f.path("op").asText())).toList();
    }

    /** @return the texts received so far */
    public List<String> rawReceived() {
        return raw;
    }

    /** @return completes with the close reason */
    public CompletableFuture<CloseReason> closed() {
        return closed;
    }

    /** @return the open state */
    public boolean isOpen() {
        return session.isOpen();
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
