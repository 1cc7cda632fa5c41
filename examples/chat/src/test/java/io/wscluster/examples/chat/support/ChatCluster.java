package io.wscluster.examples.chat.support;

import io.wscluster.examples.chat.ChatNode;
import io.wscluster.examples.chat.ChatOptions;
import io.wscluster.testkit.FreePorts;
import org.awaitility.Awaitility;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Chat nodes in this JVM, started exactly as the jar starts them ({@link ChatOptions#parse}), on
 * 127.0.0.1 with free ports and a unique cluster name.
 */
public final class ChatCluster implements AutoCloseable {

    static {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        // Replies take milliseconds: poll often (Awaitility's default is every 100 ms).
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultPollInterval(Duration.ofMillis(5));
    }

    private final List<ChatNode> nodes = new ArrayList<>();
    private final List<String[]> args = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    private ChatCluster() {
    }

    /**
     * Starts nodes that form one cluster.
     *
     * @param count     how many
     * @param extraArgs command-line arguments for node {@code i}, or an empty array
     * @return the cluster
     */
    public static ChatCluster start(int count, String[]... extraArgs) {
        ChatCluster result = new ChatCluster();
        String name = "chat-test-" + UUID.randomUUID().toString().substring(0, 8);
        int[] clusterPorts = FreePorts.of(count);
        String members = Arrays.stream(clusterPorts).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        try {
            for (int i = 0; i < count; i++) {
                String[] base = {"--host", "127.0.0.1", "--port", "0", "--cluster-port", Integer.toString(clusterPorts[i]),
                        "--members", members, "--cluster-name", name};
                String[] extra = i < extraArgs.length ? extraArgs[i] : new String[0];
                String[] args = Stream.concat(Arrays.stream(base), Arrays.stream(extra)).toArray(String[]::new);
                result.nodes.add(ChatNode.start(ChatOptions.parse(args)));
                result.args.add(args);
                result.ports.add(result.nodes.get(i).port());
            }
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
        return result;
    }

    /** @return node {@code i} */
    public ChatNode node(int i) {
        return nodes.get(i);
    }

    /**
     * Starts node {@code i} again, after it was drained or crashed, with its old options and on its old
     * HTTP port (what a process manager restarting a node does).
     *
     * @param i the node
     * @return the new node, a cluster member accepting connections
     */
    public ChatNode restart(int i) {
        int port = ports.get(i);
        List<String> restarted = new ArrayList<>(List.of(args.get(i)));
        restarted.set(restarted.indexOf("--port") + 1, Integer.toString(port));
        ChatNode node = ChatNode.start(ChatOptions.parse(restarted.toArray(String[]::new)));
        nodes.set(i, node);
        return node;
    }

    /** @return every node */
    public List<ChatNode> nodes() {
        return nodes;
    }

    /**
     * The chat URI of a node for a user.
     *
     * @param i    the node
     * @param user the user, put in the query as it is
     * @return {@code ws://127.0.0.1:PORT/chat?user=USER}
     */
    public URI chat(int i, String user) {
        return URI.create("ws://127.0.0.1:" + node(i).port() + "/chat?user=" + user);
    }

    /** Stops every node at once (tests do not need a graceful leave). */
    @Override
    public void close() {
        for (ChatNode node : nodes) {
            try {
                node.crash();
            } catch (RuntimeException e) {
                // already stopped
            }
        }
    }
}
