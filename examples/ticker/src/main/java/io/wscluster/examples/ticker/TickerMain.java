package io.wscluster.examples.ticker;

import io.wscluster.Cluster;
import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.tyrus.WsServer;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** One ticker node: {@code java -jar wscluster-ticker.jar --port 8091 --members ... [--produce AAPL,MSFT]}. */
@Command(name = "wscluster-ticker", mixinStandardHelpOptions = true, description = "A clustered live price ticker node.")
public final class TickerMain implements Callable<Integer> {
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

    /** Starts the WebSocket server of a ticker node on a running cluster; SIGTERM drains it. */
    public static WsServer server(Cluster cluster, int port) {
        return WsServer.builder().host("127.0.0.1").port(port).cluster(cluster)
                .endpoint(TickerEndpoint.class)
                .staticResources(TickerMain.class.getClassLoader(), "web/")
                .shutdownHook(true)
                .build().start();
    }

    @Override
    public Integer call() throws InterruptedException {
        Cluster cluster = HazelcastCluster.builder().clusterName("ticker").port(clusterPort)
                .members(members.toArray(String[]::new))
                .property("hazelcast.shutdownhook.enabled", "false") // the server's own hook drains the node
                .build();
        WsServer server = server(cluster, port);
        if (!produce.isEmpty()) {
            new Prices(cluster, produce).startEvery(Duration.ofMillis(intervalMs));
        }
        LoggerFactory.getLogger(TickerMain.class).info("READY {}: open http://127.0.0.1:{}/", server.port(), server.port());
        Thread.currentThread().join();
        return 0;
    }
}
