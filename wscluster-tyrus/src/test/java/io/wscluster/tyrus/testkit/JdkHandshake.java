package io.wscluster.tyrus.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The JDK's own WebSocket client ({@code HttpClient.newWebSocketBuilder()}) against a handshake the
 * server refuses: it must fail with the status within a deadline. It reads a response by HTTP/1.1's
 * rules, so a refusal without a length, ended only by a close that never comes, leaves it waiting.
 */
public final class JdkHandshake {

    private JdkHandshake() {
    }

    /**
     * Opens a WebSocket with the JDK client and expects the handshake to be refused.
     *
     * @param uri      the ws:// address on 127.0.0.1
     * @param headers  extra request headers (not the ones the JDK client reserves)
     * @param deadline how long the refusal may take
     * @return the status of the refusal
     * @throws AssertionError if the handshake succeeded, failed without a status, or did not end in time
     */
    public static int refusedStatus(URI uri, Map<String, String> headers, Duration deadline) {
        WebSocket.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                .newWebSocketBuilder();
        headers.forEach(builder::header);
        CompletableFuture<WebSocket> opening = builder.buildAsync(uri, new WebSocket.Listener() { });
        try {
            WebSocket ws = opening.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            ws.abort();
            throw new AssertionError("handshake to " + uri + " was accepted, a refusal was expected");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw new AssertionError("handshake to " + uri + " failed without a status", e.getCause());
        } catch (TimeoutException e) {
            opening.cancel(true);
            throw new AssertionError("the JDK client got no complete answer from " + uri + " within " + deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
