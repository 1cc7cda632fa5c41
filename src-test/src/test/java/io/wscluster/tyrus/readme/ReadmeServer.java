package io.wscluster.tyrus.readme;

import io.wscluster.Cluster;
import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.tyrus.OverflowPolicy;
import io.wscluster.tyrus.UserResolver;
import io.wscluster.tyrus.WsServer;

import java.time.Duration;
import java.util.List;

/** The README's server example; compiled with the tests so the README stays true. */
public final class ReadmeServer {

    private ReadmeServer() {
    }

    public static WsServer start() {
        Cluster cluster = HazelcastCluster.builder()
                .clusterName("demo").port(5701).members("127.0.0.1:5701", "127.0.0.1:5702").build();
        return WsServer.builder()
                .host("127.0.0.1").port(8081)
                .cluster(cluster)
                .endpoint(ChatEndpoint.class)
                .userResolver(UserResolver.queryParam("user"))
                .authenticator(request -> request.getHeaders().getOrDefault("X-Token", List.of()).contains("secret"))
                .allowedOrigins("https://chat.example.com")
                .maxConnections(20_000)
                .maxQueuedMessages(1_024).overflowPolicy(OverflowPolicy.CLOSE)
                .rateLimit(200, 600)
                .onRateLimited(s -> s.send(io.wscluster.Target.session(s.id()),
                        io.wscluster.Message.text("{\"op\":\"error\",\"code\":\"rate_limited\",\"reason\":\"slow down\"}")))
                .drainTimeout(Duration.ofSeconds(5))
                .shutdownHook(true)                       // SIGTERM drains: 1001, deregister, leave
                .build()
                .start();
    }
}
