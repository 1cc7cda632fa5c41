package io.wscluster.tyrus.support;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnMessage;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import org.glassfish.tyrus.core.TyrusSession;
import org.glassfish.tyrus.core.cluster.DistributedSession;
import org.glassfish.tyrus.core.cluster.RemoteSession;

import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A plain Tyrus application endpoint: no wscluster import, only the Jakarta and Tyrus APIs. It is
 * driven by one-line commands {@code op:arg:arg} from its client and answers {@code op:result}.
 * Remote sessions are looked up in {@code TyrusSession.getRemoteSessions()}; those seen once are
 * remembered (in this JVM), so a test can keep using a {@code RemoteSession} after it closed.
 */
@ServerEndpoint("/tyrus/{room}")
public class PlainTyrusEndpoint {

    private static final Map<String, Session> SEEN = new ConcurrentHashMap<>();

    @OnMessage
    public void onMessage(Session session, String text) {
        String[] p = text.split(":", 4);
        try {
            switch (p[0]) {
                case "id" -> reply(session, "id:" + session.getId());
                case "remotes" -> reply(session, "remotes:" + ids(tyrus(session).getRemoteSessions()));
                case "all" -> reply(session, "all:" + ids(tyrus(session).getAllSessions()));
                case "send" -> {
                    remote(session, p[1]).getBasicRemote().sendText(p[2]);
                    reply(session, "sent:" + p[2]);
                }
                case "binary" -> {
                    remote(session, p[1]).getBasicRemote().sendBinary(ByteBuffer.wrap(p[2].getBytes(StandardCharsets.UTF_8)));
                    reply(session, "sent-binary:" + p[2]);
                }
                case "burst" -> {
                    Session target = remote(session, p[1]);
                    int n = Integer.parseInt(p[2]);
                    for (int i = 0; i < n; i++) {
                        target.getBasicRemote().sendText("b" + i);
                    }
                    reply(session, "burst-done:" + n);
                }
                case "async" -> async(session, remote(session, p[1]), Integer.parseInt(p[2]));
                case "future" -> future(session, remote(session, p[1]), Integer.parseInt(p[2]));
                case "partial" -> {
                    Session target = remote(session, p[1]);
                    target.getBasicRemote().sendText("par", false);
                    target.getBasicRemote().sendText("ti", false);
                    target.getBasicRemote().sendText("al", true);
                    try (Writer writer = target.getBasicRemote().getSendWriter()) {
                        writer.write("wri");
                        writer.write("ter");
                    }
                    reply(session, "partial-done");
                }
                case "broadcast" -> {
                    tyrus(session).broadcast(p[1]);
                    reply(session, "broadcast-sent");
                }
                case "close" -> {
                    remote(session, p[1]).close(new CloseReason(CloseReason.CloseCodes.getCloseCode(Integer.parseInt(p[2])),
                            p.length > 3 ? p[3] : ""));
                    reply(session, "close-sent");
                }
                case "isopen" -> reply(session, "isopen:" + p[1] + ":" + remote(session, p[1]).isOpen());
                case "props" -> reply(session, "props:" + props("self".equals(p[1]) ? session : remote(session, p[1])));
                case "ping" -> {
                    remote(session, p[1]).getBasicRemote().sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                    reply(session, "ping-done");
                }
                case "idle" -> {
                    session.setMaxIdleTimeout(Long.parseLong(p[1]));
                    reply(session, "idle-set:" + p[1]);
                }
                case "uput" -> {
                    ((DistributedSession) session).getDistributedProperties().put(p[1], p[2]);
                    reply(session, "uput-done");
                }
                case "uget" -> reply(session, "uget:" + ((DistributedSession) session).getDistributedProperties().get(p[1]));
                default -> reply(session, "error:unknown op " + p[0]);
            }
        } catch (Exception e) {
            reply(session, "error:" + e.getClass().getName() + ":" + e.getMessage());
        }
    }

    private static TyrusSession tyrus(Session session) {
        return (TyrusSession) session;
    }

    private static Session remote(Session session, String id) {
        for (RemoteSession r : tyrus(session).getRemoteSessions()) {
            SEEN.put(r.getId(), r);
        }
        Session found = SEEN.get(id);
        if (found == null) {
            throw new IllegalArgumentException("no remote session " + id);
        }
        return found;
    }

    private static String ids(java.util.Set<? extends Session> sessions) {
        for (Session s : sessions) {
            if (s instanceof RemoteSession) {
                SEEN.put(s.getId(), s);
            }
        }
        return sessions.stream().map(Session::getId).collect(Collectors.toCollection(TreeSet::new)).stream()
                .collect(Collectors.joining(","));
    }

    private static void async(Session session, Session target, int n) {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger results = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            target.getAsyncRemote().sendText("a" + i, (SendResult result) -> {
                (result.isOK() ? ok : failed).incrementAndGet();
                if (results.incrementAndGet() == n) {
                    reply(session, "async-done:" + ok.get() + ":" + failed.get());
                }
            });
        }
    }

    private static void future(Session session, Session target, int n) throws InterruptedException {
        List<Future<Void>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(target.getAsyncRemote().sendText("f" + i));
        }
        int ok = 0;
        String firstError = "-";
        for (Future<Void> f : futures) {
            try {
                f.get(10, TimeUnit.SECONDS);
                ok++;
            } catch (Exception e) {
                if ("-".equals(firstError)) {
                    firstError = (e.getCause() == null ? e : e.getCause()).getClass().getName();
                }
            }
        }
        reply(session, "future-done:" + ok + ":" + (n - ok) + ":" + firstError);
    }

    private static String props(Session r) {
        return String.join("|", String.valueOf(r.getRequestURI()), r.getQueryString(),
                String.valueOf(new TreeMap<>(r.getRequestParameterMap())), String.valueOf(new TreeMap<>(r.getPathParameters())),
                String.valueOf(r.isSecure()), r.getNegotiatedSubprotocol(), String.valueOf(r.getMaxIdleTimeout()),
                String.valueOf(r.getMaxTextMessageBufferSize()), String.valueOf(r.getUserPrincipal()),
                String.valueOf(r.getNegotiatedExtensions()));
    }

    private static void reply(Session session, String text) {
        synchronized (session) {
            try {
                session.getBasicRemote().sendText(text);
            } catch (IOException | IllegalStateException e) {
                // the client is gone
            }
        }
    }
}
