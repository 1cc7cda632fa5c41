package io.wscluster.examples.ticker;

import io.wscluster.Cluster;
import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.tyrus.WsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One ticker node: {@code java -jar wscluster-ticker.jar --port 8091 --members ... [--produce AAPL,MSFT]}.
 *
 * <p>SIGTERM (or Ctrl-C) drains it (close 1001 to every client, its sessions leave the cluster, the node
 * leaves) and the process exits with status 0. A port already in use ends it with one error line and
 * status 1.
 */
@Command(name = "wscluster-ticker", mixinStandardHelpOptions = true, description = "A clustered live price ticker node.")
public final class TickerMain implements Callable<Integer> {
    /** Longest time from SIGTERM to exit; past it the process exits anyway (the others clean up after it). */
    private static final long EXIT_DEADLINE_MS = 9_500;
    private static final Logger LOG = LoggerFactory.getLogger(TickerMain.class);

    @Option(names = "--port", defaultValue = "8090", description = "HTTP/WebSocket port on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
    int port;
    @Option(names = "--cluster-port", defaultValue = "5801", description = "Cluster port on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
    int clusterPort;
    @Option(names = "--members", split = ",", description = "Cluster seed addresses, HOST:PORT, comma-separated.")
    List<String> members = new ArrayList<>();
    @Option(names = "--produce", split = ",", description = "Publish prices of these symbols from this node.")
    List<String> produce = new ArrayList<>();
    @Option(names = "--interval-ms", defaultValue = "500", description = "Time between updates. Default: ${DEFAULT-VALUE}.")
    long intervalMs;

    public static void main(String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(new CommandLine(new TickerMain()).execute(args));
    }

    /**
     * Starts the WebSocket server of a ticker node on a running cluster.
     *
     * @param cluster the cluster, already joined
     * @param port    the HTTP/WebSocket port on 127.0.0.1, 0 for any free one
     * @return the running server; {@link WsServer#drain()} drains it and closes the cluster
     * @throws UncheckedIOException if the port cannot be bound (a {@link BindException} cause if it is in use)
     */
    public static WsServer server(Cluster cluster, int port) {
        return WsServer.builder().host("127.0.0.1").port(port).cluster(cluster)
                .endpoint(TickerEndpoint.class)
                .staticResources(TickerMain.class.getClassLoader(), "web/")
                .build().start();
    }

    @Override
    public Integer call() throws InterruptedException {
        // Checked before joining: a clash found later would show the cluster a member that joins and leaves,
        // and Hazelcast logs its own bind failure with a stack trace. The bind below can still lose a race.
        if (inUse(clusterPort)) {
            return portInUse("cluster port", clusterPort, "--cluster-port");
        }
        if (port != 0 && inUse(port)) {
            return portInUse("port", port, "--port");
        }
        Cluster cluster = HazelcastCluster.builder().clusterName("ticker").port(clusterPort)
                .members(members.toArray(String[]::new))
                .property("hazelcast.shutdownhook.enabled", "false") // the drain below leaves the cluster
                .build();
        WsServer server;
        try {
            server = server(cluster, port);
        } catch (UncheckedIOException e) {
            cluster.close();
            if (e.getCause() instanceof BindException) {
                return portInUse("port", port, "--port");
            }
            throw e;
        }
        Prices prices = produce.isEmpty() ? null : new Prices(cluster, produce);
        drainOnTermination(server, prices);
        if (prices != null) {
            prices.startEvery(Duration.ofMillis(intervalMs));
        }
        LOG.info("READY {}: open http://127.0.0.1:{}/", server.port(), server.port());
        Thread.currentThread().join();
        return 0;
    }

    private static boolean inUse(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as the servers bind: a port in TIME_WAIT is free for them
            probe.bind(new InetSocketAddress("127.0.0.1", port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static int portInUse(String what, int port, String option) {
        System.err.println("wscluster-ticker: " + what + " " + port + " on 127.0.0.1 is already in use; choose another with " + option);
        return 1;
    }

    /**
     * On SIGTERM the JVM runs its shutdown hooks and then exits with 143; a drained node exits with 0, so
     * the hook ends the process itself once the drain is done, or at the deadline.
     */
    private static void drainOnTermination(WsServer server, Prices prices) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(EXIT_DEADLINE_MS);
                    LOG.error("Drain did not finish within {} ms; exiting anyway", EXIT_DEADLINE_MS);
                    Runtime.getRuntime().halt(0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "ticker-exit-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            if (prices != null) {
                prices.stop();
            }
            boolean clean = server.drain();
            LOG.info("Ticker node drained{}", clean ? "" : " (some clients did not answer the close in time)");
            Runtime.getRuntime().halt(0);
        }, "ticker-drain"));
    }
}
