package io.wscluster.it.harness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A real WebSocket client of the chat protocol (the JDK's own client): sends JSON frames, queues
 * every frame it receives, records the close code.
 */
public final class ChatClient implements AutoCloseable {

    /** JSON for tests. */
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The close the server sent: code and reason. */
    public record Close(int code, String reason) {
    }

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final String user;
    private WebSocket socket;

    private ChatClient(String user) {
        this.user = user;
    }

    /**
     * Connects and waits for the handshake.
     *
     * @param uri  the chat URL
     * @param user the user (for {@link #user()} only)
     * @return the open client
     */
    public static ChatClient connect(URI uri, String user) {
        ChatClient client = new ChatClient(user);
        try {
            client.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(uri, client.new Listener()).get(10, TimeUnit.SECONDS);
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
     * Sends a JSON object built from key/value pairs, e.g. {@code send("op", "join", "room", "r")}.
     *
     * @param keyValues alternating keys and values
     */
    public void send(Object... keyValues) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            node.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
        }
        sendRaw(node.toString());
    }

    /**
     * Sends any text as one frame.
     *
     * @param text the text
     */
    public void sendRaw(String text) {
        join(socket.sendText(text, true));
    }

    /**
     * Sends a binary frame.
     *
     * @param data the bytes
     */
    public void sendBinary(byte[] data) {
        join(socket.sendBinary(ByteBuffer.wrap(data), true));
    }

    /**
     * Sends a text message in several fragments.
     *
     * @param parts the fragments, in order
     */
    public void sendFragmented(String... parts) {
        for (int i = 0; i < parts.length; i++) {
            join(socket.sendText(parts[i], i == parts.length - 1));
        }
    }

    /**
     * The next frame.
     *
     * @param timeout how long to wait
     * @return the frame
     * @throws AssertionError if none came
     */
    public JsonNode next(Duration timeout) {
        try {
            JsonNode frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError(user + " received no frame within " + timeout.toMillis() + " ms");
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The next frame that matches, skipping (and dropping) others.
     *
     * @param match   the condition
     * @param timeout overall time
     * @return the frame
     */
    public JsonNode nextMatching(Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(user + " received no matching frame within " + timeout.toMillis() + " ms");
            }
            JsonNode frame = next(Duration.ofNanos(left));
            if (match.test(frame)) {
                return frame;
            }
        }
    }

    /**
     * Waits for the next frame with the given op.
     *
     * @param op      e.g. "joined"
     * @param timeout overall time
     * @return the frame
     */
    public JsonNode nextOp(String op, Duration timeout) {
        return nextMatching(f -> op.equals(f.path("op").asText()), timeout);
    }

    /** @return every frame queued now, removing them */
    public List<JsonNode> drain() {
        List<JsonNode> list = new ArrayList<>();
        frames.drainTo(list);
        return list;
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

    @Override
    public void close() {
        if (socket != null && !closed.isDone()) {
            socket.abort();
        }
    }

    private static void join(CompletableFuture<WebSocket> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("send failed: " + e, e);
        }
    }

    private final class Listener extends WholeTextListener {

        @Override
        protected void onMessage(WebSocket webSocket, String text) {
            try {
                frames.add(JSON.readTree(text));
            } catch (JsonProcessingException e) {
                frames.add(JSON.createObjectNode().put("op", "_unparseable").put("text", text));
            }
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            frames.add(JSON.createObjectNode().put("op", "_binary").put("bytes", data.remaining()));
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
