package io.wscluster.examples.chat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code java -jar wscluster-chat.jar --port 8081 --cluster-port 5701 --members ...}: one chat node.
 *
 * <p>Logs {@code READY <port>} once it is a cluster member and accepts connections. SIGTERM (or
 * Ctrl-C) drains it: new connections are refused, open ones are closed with 1001, its sessions leave
 * the registry, the node leaves the cluster, and the process exits with status 0, all within 10 s
 * with the default drain timeout.
 */
@Command(name = "wscluster-chat", mixinStandardHelpOptions = true, version = "wscluster chat 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"A clustered chat node speaking the wscluster chat protocol on ws://HOST:PORT/chat?user=USER,",
                "with GET /health and a browser page at http://HOST:PORT/."})
public final class ChatMain implements Callable<Integer> {

    /** Longest time from SIGTERM to exit; past it the process exits anyway (the others clean up after it). */
    private static final long EXIT_DEADLINE_MS = 9_500;

    private static final Logger LOG = LoggerFactory.getLogger(ChatMain.class);

    @Mixin
    private ChatOptions options;

    @Spec
    private CommandSpec spec;

    /**
     * Runs a node until it is drained.
     *
     * @param args the command line; {@code --help} lists every option with its default
     */
    public static void main(String[] args) {
        // Before the first Hazelcast class loads, or its early warnings go to java.util.logging.
        if (System.getProperty("hazelcast.logging.type") == null) {
            System.setProperty("hazelcast.logging.type", "slf4j");
        }
        // Tyrus and Grizzly log through java.util.logging.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        int status = new CommandLine(new ChatMain()).execute(args);
        System.exit(status);
    }

    @Override
    public Integer call() throws InterruptedException {
        options.validate(spec.commandLine());
        ChatNode node = ChatNode.start(options);
        Shutdown.drainOnTermination(node, EXIT_DEADLINE_MS);
        String members = node.cluster().nodes().stream().map(n -> n.id() + "@" + n.address()).collect(Collectors.joining(", "));
        LOG.info("READY {} node={} members={} [{}]", node.port(), node.cluster().localNode(), node.cluster().nodes().size(), members);
        node.awaitStopped();
        return 0;
    }
}
