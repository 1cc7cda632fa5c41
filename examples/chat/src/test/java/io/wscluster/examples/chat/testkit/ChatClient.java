package io.wscluster.examples.chat.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client of the chat protocol (examples/chat/PROTOCOL.md) on a real WebSocket, the JDK's own client:
 * sends JSON frames, keeps every frame it receives, parsed, and how the server closed the connection.
 *
 * <p>Received frames can be read two ways, mixed freely: as a history ({@link #received()},
 * {@link #await}, {@link #request}) that keeps every frame, or as a queue ({@link #next},
 * {@link #nextOp}, {@link #drain}) whose cursor moves over that same history.
 */
public final class ChatClient implements AutoCloseable {

    /** How long a test waits for a frame that must come. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    /** How long a test waits for an opening handshake. */
    private static final Duration HANDSHAKE_WAIT = Duration.ofSeconds(15);

    /** JSON for tests. */
    public static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * The close the server sent.
     *
     * @param code   the close code
     * @param reason the close reason
     */
    public record Close(int code, String reason) {
    }

    private final String user;
    private final List<JsonNode> received = new ArrayList<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private int cursor;
    private WebSocket socket;

    private ChatClient(String user) {
        this.user = user;
    }

    /**
     * Connects and waits until the server handles this connection's frames: a {@code who} is sent and
     * its answer awaited, then forgotten (the history is empty again).
     *
     * @param uri  the chat URI
     * @param user the user, for the test's own bookkeeping
     * @return the connected client
     */
    public static ChatClient connect(URI uri, String user) {
        ChatClient client = handshake(uri, user);
        client.request("members", "op", "who", "room", "connect-probe");
        synchronized (client.received) {
            client.received.clear();
            client.cursor = 0;
        }
        return client;
    }

    /**
     * Connects and returns as soon as the handshake is done; sends nothing.
     *
     * @param uri  the chat URI
     * @param user the user, for the test's own bookkeeping
     * @return the open client
     */
    public static ChatClient handshake(URI uri, String user) {
        ChatClient client = new ChatClient(user);
        try {
            // Generous: a handshake takes milliseconds, but CI runs two test classes at a time on two
            // cores, and one CI run saw a handshake pass 5 s. A node that cannot accept still fails here.
            client.socket = HTTP.newWebSocketBuilder().connectTimeout(HANDSHAKE_WAIT)
                    .buildAsync(uri, client.new Listener()).get(HANDSHAKE_WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not connect to " + uri + ": " + e, e);
        }
        return client;
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

    /** @param keyValues sent as one JSON frame, e.g. {@code send("op", "join", "room", "r")} */
    public void send(Object... keyValues) {
        sendText(frame(keyValues));
    }

    /** @param text sent as one text frame, as it is */
    public void sendText(String text) {
        complete(socket.sendText(text, true));
    }

    /** @param data sent as one binary frame */
    public void sendBinary(byte[] data) {
        complete(socket.sendBinary(ByteBuffer.wrap(data), true));
    }

    /** @param parts one text message sent in several fragments, in order */
    public void sendFragmented(String... parts) {
        for (int i = 0; i < parts.length; i++) {
            complete(socket.sendText(parts[i], i == parts.length - 1));
        }
    }

    /**
     * Sends a frame and waits for its answer, sending it again while the answer is an {@code unavailable}
     * error (the protocol lets a client retry then, e.g. while a node re-enters the cluster); any other
     * error fails the test.
     *
     * @param wait      how long to keep retrying
     * @param answer    what answers the frame (an {@code error} frame always does)
     * @param keyValues the frame, as for {@link #send}
     * @return the answer
     */
    public JsonNode requestRetryingUnavailable(Duration wait, Predicate<JsonNode> answer, Object... keyValues) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            int from = received().size();
            send(keyValues);
            JsonNode reply = awaitFrom(from, f -> answer.test(f) || "error".equals(f.path("op").asText()));
            if (!"error".equals(reply.path("op").asText())) {
                return reply;
            }
            assertThat(reply.path("code").asText()).as("%s", reply).isEqualTo("unavailable");
            assertThat(System.nanoTime()).as("%s retried until the deadline", frame(keyValues)).isLessThan(deadline);
        }
    }

    /**
     * @param room a room
     * @return the room's {@code msg} frames received so far, in order
     */
    public List<JsonNode> roomMessages(String room) {
        return received("msg").stream().filter(f -> room.equals(f.path("room").asText())).toList();
    }

    /**
     * The key/value pairs of a join, for {@link #send} or {@link #request}.
     *
     * @param room  the room
     * @param extra more key/value pairs of the join (since, last), in order
     * @return op, join, room, the room, then {@code extra}
     */
    public static Object[] joinFrame(String room, Object... extra) {
        Object[] frame = new Object[4 + extra.length];
        frame[0] = "op";
        frame[1] = "join";
        frame[2] = "room";
        frame[3] = room;
        System.arraycopy(extra, 0, frame, 4, extra.length);
        return frame;
    }

    /**
     * Sends a frame and waits for the first frame with the given op received after it was sent.
     *
     * @param op        the op of the answer, e.g. {@code joined}
     * @param keyValues the frame
     * @return that answer
     */
    public JsonNode request(String op, Object... keyValues) {
        int before = size();
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
        List<String> users = new ArrayList<>();
        reply.path("users").forEach(u -> users.add(u.asText()));
        return users;
    }

    /**
     * Waits for a frame, received at any time, that matches.
     *
     * @return the first match
     */
    public JsonNode await(Predicate<JsonNode> condition) {
        return awaitFrom(0, condition);
    }

    /** Waits for a frame received at index {@code from} or later that matches; fails after {@link #WAIT}. */
    public JsonNode awaitFrom(int from, Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (received) {
            int at = from;
            while (true) {
                for (; at < received.size(); at++) {
                    if (condition.test(received.get(at))) {
                        return received.get(at);
                    }
                }
                waitUntil(deadline, "no matching frame");
            }
        }
    }

    /** @return a copy of every frame received so far */
    public List<JsonNode> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** @return frames received so far with the given op */
    public List<JsonNode> received(String op) {
        return received().stream().filter(f -> op.equals(f.path("op").asText())).toList();
    }

    /**
     * The next frame of the queue.
     *
     * @param timeout how long to wait
     * @return the frame
     * @throws AssertionError if none came
     */
    public JsonNode next(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (cursor >= received.size()) {
                waitUntil(deadline, "received no frame within " + timeout.toMillis() + " ms");
            }
            return received.get(cursor++);
        }
    }

    /**
     * The next frame of the queue that matches, skipping (and dropping) others.
     *
     * @param match   the condition
     * @param timeout overall time
     * @return the frame
     */
    public JsonNode nextMatching(Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                while (cursor >= received.size()) {
                    waitUntil(deadline, "received no matching frame within " + timeout.toMillis() + " ms");
                }
                JsonNode frame = received.get(cursor++);
                if (match.test(frame)) {
                    return frame;
                }
            }
        }
    }

    /**
     * The next frame of the queue with the given op, skipping others.
     *
     * @param op      e.g. "joined"
     * @param timeout overall time
     * @return the frame
     */
    public JsonNode nextOp(String op, Duration timeout) {
        return nextMatching(f -> op.equals(f.path("op").asText()), timeout);
    }

    /** @return every frame of the queue now, removing them from the queue */
    public List<JsonNode> drain() {
        synchronized (received) {
            List<JsonNode> rest = List.copyOf(received.subList(cursor, received.size()));
            cursor = received.size();
            return rest;
        }
    }

    /**
     * Waits for the server to close the socket.
     *
     * @param timeout how long
     * @return the close
     */
    public Close awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw new AssertionError(user + " socket failed instead of closing: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(user + " socket not closed within " + timeout.toMillis() + " ms");
        }
    }

    /** @return true once the server closed or the socket failed */
    public boolean isClosed() {
        return closed.isDone();
    }

    /** @return true until the server closed or the socket failed */
    public boolean isOpen() {
        return !closed.isDone();
    }

    /**
     * Closes the connection cleanly: sends a close frame with 1000 and waits for the server's.
     *
     * @param timeout how long to wait for the server's close frame
     * @return the server's close
     */
    public Close closeCleanly(Duration timeout) {
        complete(socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
        return awaitClose(timeout);
    }

    /** Drops the connection (no close handshake) unless the server closed it. */
    @Override
    public void close() {
        if (socket != null && !closed.isDone()) {
            socket.abort();
        }
    }

    private int size() {
        synchronized (received) {
            return received.size();
        }
    }

    private void waitUntil(long deadline, String failure) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new AssertionError(user + ": " + failure);
        }
        try {
            TimeUnit.NANOSECONDS.timedWait(received, left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void add(JsonNode frame) {
        synchronized (received) {
            received.add(frame);
            received.notifyAll();
        }
    }

    private static void complete(CompletableFuture<WebSocket> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("send failed: " + e, e);
        }
    }

    /** Reassembles fragmented text and hands over whole messages, asking for one frame at a time. */
    private final class Listener implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    add(JSON.readTree(text));
                } catch (JsonProcessingException e) {
                    add(JSON.createObjectNode().put("op", "_unparseable").put("text", text));
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            add(JSON.createObjectNode().put("op", "_binary").put("bytes", data.remaining()));
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
