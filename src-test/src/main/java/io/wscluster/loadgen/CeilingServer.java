package io.wscluster.loadgen;

import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ceiling: one plain Tyrus server with no cluster, speaking just enough of the chat protocol
 * (join, leave, send, direct) with local fan-out, on the same Grizzly set-up as wscluster's WsServer
 * (worker-thread I/O strategy, 127.0.0.1). A room send is one {@code getAsyncRemote().sendText} per
 * member from the sender's thread: what an application without wscluster would write.
 *
 * <p>It does not validate input, has no rate limit, no outbound queue bound and no registry; it is a
 * yardstick, not a chat server. {@code java -cp wscluster-loadgen.jar io.wscluster.loadgen.CeilingServer PORT}
 * prints {@code READY PORT} once it accepts connections; a second argument {@code tuned} turns on the
 * fixes proposed for wscluster (see {@link #tuned}).
 */
public final class CeilingServer {

    private static final Map<String, Set<Session>> ROOMS = new ConcurrentHashMap<>();
    private static final Map<String, Set<Session>> USERS = new ConcurrentHashMap<>();
    private static final LongAdder FAILED = new LongAdder();
    private static final SendHandler COUNT_FAILURES = result -> {
        if (!result.isOK()) {
            FAILED.increment();
        }
    };

    /**
     * {@code tuned}: the two fixes proposed for wscluster's own delivery path (docs/benchmarks.md), tried
     * here first: no idle-timeout timer per frame (max idle timeout -1 instead of Tyrus's 0), and a
     * room message framed once per send and written to every member as the same bytes.
     */
    private static volatile boolean tuned;
    /** {@code notimer}: only the first of the two: no idle-timeout timer per frame. */
    private static volatile boolean noTimer;
    private static java.lang.reflect.Field webSocketField;

    private CeilingServer() {
    }

    /**
     * Runs the server until the process is stopped.
     *
     * @param args the port
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        tuned = args.length > 1 && args[1].equals("tuned");
        noTimer = tuned || args.length > 1 && args[1].equals("notimer");
        if (tuned) {
            webSocketField = org.glassfish.tyrus.core.TyrusRemoteEndpoint.class.getDeclaredField("webSocket");
            webSocketField.setAccessible(true);
        }
        Container container = new Container();
        container.register(ServerEndpointConfig.Builder.create(Chat.class, "/chat").build());
        HttpServer server = new HttpServer();
        NetworkListener listener = new NetworkListener("ceiling", "127.0.0.1", port);
        server.addListener(listener);
        listener.getTransport().setIOStrategy(WorkerThreadIOStrategy.getInstance());
        listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
        listener.registerAddOn(new WebSocketAddOn(container, "/"));
        server.getServerConfiguration().setJmxEnabled(false);
        server.start();
        container.start("/", listener.getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "ceiling-stop"));
        System.out.println("READY " + listener.getPort());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** The chat endpoint of the ceiling. */
    public static final class Chat extends Endpoint {

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            List<String> users = session.getRequestParameterMap().get("user");
            if (users == null || users.size() != 1) {
                try {
                    session.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "one user parameter required"));
                } catch (java.io.IOException ignored) {
                    // gone
                }
                return;
            }
            String user = users.get(0);
            if (noTimer) {
                // Tyrus reads 0 as "schedule an idle check at once" on every frame; negative means no timer.
                session.setMaxIdleTimeout(-1);
            }
            session.getUserProperties().put("user", user);
            USERS.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(session);
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> onText(session, user, text));
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            Object user = session.getUserProperties().get("user");
            if (user != null) {
                USERS.computeIfPresent((String) user, (u, set) -> {
                    set.remove(session);
                    return set.isEmpty() ? null : set;
                });
            }
            for (Set<Session> members : ROOMS.values()) {
                members.remove(session);
            }
        }
    }

    private static void onText(Session session, String user, String text) {
        String op = field(text, "\"op\"");
        if (op == null) {
            reply(session, "{\"op\":\"error\",\"code\":\"bad_request\",\"reason\":\"no op\"}");
            return;
        }
        switch (op) {
            case "join" -> {
                String room = field(text, "\"room\"");
                ROOMS.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(session);
                reply(session, "{\"op\":\"joined\",\"room\":\"" + room + "\"}");
            }
            case "leave" -> {
                String room = field(text, "\"room\"");
                Set<Session> members = ROOMS.get(room);
                if (members != null) {
                    members.remove(session);
                }
                reply(session, "{\"op\":\"left\",\"room\":\"" + room + "\"}");
            }
            case "send" -> {
                String room = field(text, "\"room\"");
                Set<Session> members = ROOMS.get(room);
                if (members == null || !members.contains(session)) {
                    reply(session, "{\"op\":\"error\",\"code\":\"not_member\",\"reason\":\"join first\"}");
                    return;
                }
                String frame = "{\"op\":\"msg\",\"room\":\"" + room + "\",\"from\":\"" + user + "\",\"body\":\""
                        + field(text, "\"body\"") + "\"}";
                if (tuned) {
                    ByteBuffer framed = frameOnce(frame);
                    for (Session member : members) {
                        sendRaw(member, framed);
                    }
                } else {
                    for (Session member : members) {
                        member.getAsyncRemote().sendText(frame, COUNT_FAILURES);
                    }
                }
            }
            case "direct" -> {
                Set<Session> targets = USERS.get(field(text, "\"to\""));
                if (targets != null) {
                    String frame = "{\"op\":\"direct\",\"from\":\"" + user + "\",\"body\":\"" + field(text, "\"body\"") + "\"}";
                    for (Session target : targets) {
                        target.getAsyncRemote().sendText(frame, COUNT_FAILURES);
                    }
                }
            }
            default -> reply(session, "{\"op\":\"error\",\"code\":\"bad_request\",\"reason\":\"unknown op\"}");
        }
    }

    /** A server text frame (unmasked, FIN) around the UTF-8 bytes of {@code text}, built once per send. */
    static ByteBuffer frameOnce(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        int n = payload.length;
        int header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
        ByteBuffer b = ByteBuffer.allocate(header + n);
        b.put((byte) 0x81);
        if (n < 126) {
            b.put((byte) n);
        } else if (n < 65_536) {
            b.put((byte) 126).putShort((short) n);
        } else {
            b.put((byte) 127).putLong(n);
        }
        b.put(payload).flip();
        return b.asReadOnlyBuffer();
    }

    private static void sendRaw(Session session, ByteBuffer framed) {
        try {
            org.glassfish.tyrus.core.TyrusWebSocket socket =
                    (org.glassfish.tyrus.core.TyrusWebSocket) webSocketField.get(session.getAsyncRemote());
            socket.sendRawFrame(framed.duplicate());
        } catch (IllegalAccessException | RuntimeException e) {
            FAILED.increment();
        }
    }

    private static void reply(Session session, String frame) {
        session.getAsyncRemote().sendText(frame, COUNT_FAILURES);
    }

    /** @return the raw (still escaped) content of a string field, or null; enough for the generator's frames */
    static String field(String json, String quotedName) {
        int at = json.indexOf(quotedName);
        if (at < 0) {
            return null;
        }
        int colon = json.indexOf(':', at + quotedName.length());
        int open = colon < 0 ? -1 : json.indexOf('"', colon + 1);
        if (open < 0) {
            return null;
        }
        int i = open + 1;
        while (i < json.length()) {
            char c = json.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '"') {
                return json.substring(open + 1, i);
            }
            i++;
        }
        return null;
    }

    /** Tyrus's server container serving the endpoint under the root path. */
    private static final class Container extends TyrusServerContainer {

        private final TyrusWebSocketEngine engine;
        private final Map<String, Object> properties = new ConcurrentHashMap<>();

        Container() {
            super((Set<Class<?>>) null);
            this.engine = TyrusWebSocketEngine.builder(this).build();
        }

        @Override
        public void register(Class<?> endpointClass) throws DeploymentException {
            engine.register(endpointClass, "/");
        }

        @Override
        public void register(ServerEndpointConfig config) throws DeploymentException {
            engine.register(config, "/");
        }

        @Override
        public WebSocketEngine getWebSocketEngine() {
            return engine;
        }

        @Override
        public Map<String, Object> getProperties() {
            return properties;
        }
    }
}
