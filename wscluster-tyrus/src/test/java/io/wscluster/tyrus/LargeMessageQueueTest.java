package io.wscluster.tyrus;

import io.wscluster.tyrus.support.CommandEndpoint;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.testkit.RawWebSocket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbound queue's byte bound limits what waits behind the message in flight, not one message
 * alone. Guards against a message larger than {@code maxQueuedBytes} (a 5 MiB message with the
 * default 4 MiB bound) closing its receiver with 1013 "outbound queue full" while the queue was empty.
 */
class LargeMessageQueueTest {

    private static final String ROOM = "big";

    private static String next(RawWebSocket ws, String prefix) {
        for (int i = 0; i < 10; i++) {
            String text = ws.readText();
            if (text.startsWith(prefix)) {
                return text;
            }
        }
        throw new AssertionError("no frame starting with " + prefix + " among 10");
    }

    private static RawWebSocket member(Nodes.Node node, String user, int receiveBuffer) {
        RawWebSocket ws = RawWebSocket.connect(node.port(), "/chat?user=" + user, Map.of(), receiveBuffer);
        assertThat(ws.status()).isEqualTo(101);
        next(ws, "hello:");
        ws.sendText("join:" + ROOM);
        next(ws, "joined:" + ROOM);
        return ws;
    }

    @Test
    void messageLargerThanMaxQueuedBytes_toAReaderWithAnEmptyQueue_isDelivered() {
        String body = "x".repeat(5 * 1024 * 1024);
        try (Nodes nodes = Nodes.start(1, b -> b.endpoint(CommandEndpoint.class).userResolver(UserResolver.queryParam("user"))
                .maxTextMessageBytes(8 * 1024 * 1024));
             RawWebSocket reader = member(nodes.get(0), "reader", 0);
             RawWebSocket sender = member(nodes.get(0), "sender", 0)) {
            WsServer server = nodes.get(0).server();
            assertThat(WsServer.DEFAULT_MAX_QUEUED_BYTES).isLessThan(body.length());

            sender.sendText("room:" + ROOM + ":" + body);

            assertThat(next(reader, "msg:")).isEqualTo("msg:sender:" + body);
            assertThat(next(sender, "msg:")).isEqualTo("msg:sender:" + body);
            assertThat(server.stats().slowConsumerCloses()).isZero();
            assertThat(server.stats().droppedMessages()).isZero();
            reader.sendText("room:" + ROOM + ":after");
            assertThat(next(reader, "msg:")).as("the reader is still open").isEqualTo("msg:reader:after");
        }
    }

    @Test
    void messagesLargerThanMaxQueuedBytes_toANonReader_stillApplyTheOverflowPolicy() {
        int bound = 64 * 1024;
        String body = "y".repeat(100 * 1024);
        try (Nodes nodes = Nodes.start(1, b -> b.endpoint(CommandEndpoint.class).userResolver(UserResolver.queryParam("user"))
                .maxTextMessageBytes(1024 * 1024).maxQueuedBytes(bound).socketSendBufferBytes(64 * 1024)
                .overflowPolicy(OverflowPolicy.CLOSE));
             RawWebSocket stalled = member(nodes.get(0), "stalled", 4096);
             RawWebSocket sender = member(nodes.get(0), "sender", 0)) {
            WsServer server = nodes.get(0).server();
            int sent = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // bounded: the stalled client's kernel buffers hold a few hundred KiB, the queue one message
            while (sent < 200 && System.nanoTime() < deadline && server.stats().slowConsumerCloses() == 0) {
                sender.sendText("room:" + ROOM + ":" + body);
                sent++;
                assertThat(next(sender, "msg:")).endsWith(body); // lockstep: fanned out before the next
            }

            assertThat(server.stats().slowConsumerCloses()).as("policy applied within %d sends", sent).isEqualTo(1);
            await().atMost(10, TimeUnit.SECONDS).until(() -> !nodes.get(0).cluster().registry().isOnline("stalled"));
            assertThat(sent).isGreaterThan(1);
            assertThat(stalled.socket().isClosed()).as("the stalled client never closed its side").isFalse();
        }
    }
}
