package io.wscluster.tyrus.readme;

import io.wscluster.Cluster;
import io.wscluster.tyrus.TyrusClusterContext;
import io.wscluster.tyrus.WsServer;
import org.glassfish.tyrus.server.Server;

/** The README's Tyrus cluster SPI examples; compiled with the tests so the README stays true. */
public final class TyrusClusterServers {

    private TyrusClusterServers() {
    }

    /** With a WsServer: it binds the context, registers every session, and shuts the context down on drain. */
    public static WsServer withWsServer(Cluster cluster) {
        return WsServer.builder()
                .host("127.0.0.1").port(8082)
                .cluster(cluster)
                .tyrusClusterContext(TyrusClusterContext.create())
                .endpoint(PlainBroadcastEndpoint.class)
                .build()
                .start();
    }

    /** Standalone, with Tyrus's own server (which binds every interface): the context attaches itself. */
    public static AutoCloseable standalone(Cluster cluster) throws Exception {
        TyrusClusterContext context = TyrusClusterContext.attach(cluster);
        Server server = new Server("127.0.0.1", 8083, "/", context.serverProperties(), PlainBroadcastEndpoint.class);
        server.start();
        return () -> {
            server.stop();
            context.shutdown();   // Tyrus never calls it
            cluster.close();
        };
    }
}
