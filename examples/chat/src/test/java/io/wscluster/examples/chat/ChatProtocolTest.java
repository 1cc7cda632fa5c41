package io.wscluster.examples.chat;

import io.wscluster.examples.chat.support.ChatCluster;
import io.wscluster.examples.chat.testkit.ChatHistoryKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The chat-protocol kit on three chat nodes in this JVM. Limits and closes are also in
 * {@link ChatLimitsTest}, the rate limit in {@link RateLimitTest}.
 */
class ChatProtocolTest extends ChatHistoryKit {

    private static ChatCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ChatCluster.start(NODES);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected int port(int node) {
        return cluster.node(node).port();
    }

    @Override
    protected String nodeId(int node) {
        return cluster.node(node).cluster().localNode().value();
    }
}
