package io.wscluster.tyrus.modulepath;

import io.wscluster.Cluster;
import io.wscluster.annotation.Clustered;
import io.wscluster.testkit.InMemoryNetwork;
import io.wscluster.tyrus.OutboundSettings;
import io.wscluster.tyrus.TyrusClusterContext;
import io.wscluster.tyrus.WsServer;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import org.glassfish.tyrus.core.TyrusSession;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** The child JVM of {@link ModulePathTest}: prints what it saw; exits non-zero on any failure. */
public final class ModulePathMain {

    private ModulePathMain() {
    }

    /** An endpoint with cluster registration and the server's delivery. */
    @Clustered
    @ServerEndpoint("/echo")
    public static final class Echo {

        /** @return the text, prefixed */
        @OnMessage
        public String onMessage(String text) {
            return "echo:" + text;
        }
    }

    /** A plain Tyrus endpoint that asks Tyrus for the sessions of the cluster. */
    @ServerEndpoint("/plain")
    public static final class Plain {

        /** @return the text, prefixed, and how many sessions Tyrus lists */
        @OnMessage
        public String onMessage(String text, Session session) {
            return "plain:" + text + ":" + ((TyrusSession) session).getAllSessions().size();
        }
    }

    public static void main(String[] args) throws Exception {
        InMemoryNetwork network = new InMemoryNetwork();
        HttpClient http = HttpClient.newHttpClient();
        WsServer clustered = WsServer.builder().cluster(network.newNode()).endpoint(Echo.class)
                .outbound(OutboundSettings.builder().maxQueuedMessages(16).build()).build().start();
        try {
            System.out.println("WsServer in " + WsServer.class.getModule());
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + clustered.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("health " + health.statusCode() + " " + health.body());
            System.out.println("clustered reply " + exchange(http, clustered.port(), "/echo"));
        } finally {
            System.out.println("drained " + clustered.drain());
        }
        Cluster node = network.newNode();
        WsServer plain = WsServer.builder().cluster(node).endpoint(Plain.class)
                .tyrusClusterContext(TyrusClusterContext.create()).build().start();
        try {
            System.out.println("tyrus cluster context reply " + exchange(http, plain.port(), "/plain"));
        } finally {
            System.out.println("drained " + plain.drain());
        }
    }

    private static String exchange(HttpClient http, int port, String path) throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + path), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                reply.complete(data.toString());
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        ws.sendText("hi", true);
        return reply.get(30, TimeUnit.SECONDS);
    }
}
