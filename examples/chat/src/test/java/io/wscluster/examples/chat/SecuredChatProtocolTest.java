package io.wscluster.examples.chat;

import io.wscluster.examples.chat.support.ChatCluster;
import io.wscluster.examples.chat.testkit.ChatHistoryKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Issue 14: the chat-protocol kit on three chat nodes that share {@code --cluster-secret}: with every
 * message and record between them authenticated, clients see exactly the protocol of
 * {@link ChatProtocolTest}.
 */
class SecuredChatProtocolTest extends ChatHistoryKit {

    private static final String[] SECRET = {"--cluster-secret", "protocol-kit-cluster-secret-01"};

    private static ChatCluster cluster;

    @BeforeAll
    static void startCluster() {
        String[][] args = new String[NODES][];
        java.util.Arrays.fill(args, SECRET);
        cluster = ChatCluster.start(NODES, args);
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
