package io.wscluster.it;

import io.wscluster.examples.chat.testkit.ChatHistoryKit;
import io.wscluster.it.harness.ChatNodes;
import io.wscluster.it.harness.NodeLogs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chat-protocol kit, history included, against three chat node processes ({@code java -jar wscluster-chat.jar}),
 * started once for the class.
 */
class ChatConformanceTest extends ChatHistoryKit {

    @RegisterExtension
    static final NodeLogs LOGS = new NodeLogs();
    private static ChatNodes nodes;

    @BeforeAll
    static void startNodes() {
        nodes = ChatNodes.start(NODES, LOGS.dir());
    }

    @AfterAll
    static void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Override
    protected int port(int node) {
        return nodes.get(node).port();
    }

    @Override
    protected String nodeId(int node) {
        return nodes.get(node).health().path("node").asText();
    }
}
