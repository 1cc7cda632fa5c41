package io.wscluster.tyrus.internal;

import io.wscluster.Cluster;
import io.wscluster.tyrus.ServerStatus;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code GET /health}: 200 with {@code {"node","members","localSessions","clusterSessions","status"}}
 * while running, 503 with the same object while starting or draining (chat-protocol.md).
 */
final class HealthHandler extends HttpHandler {

    private final ServerRuntime runtime;

    HealthHandler(ServerRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        if (!Method.GET.equals(request.getMethod()) && !Method.HEAD.equals(request.getMethod())) {
            response.setStatus(405);
            response.setHeader("Allow", "GET, HEAD");
            return;
        }
        ServerStatus status = runtime.status();
        byte[] body = json(runtime.settings().cluster(), status).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status == ServerStatus.RUNNING ? 200 : 503);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        if (Method.GET.equals(request.getMethod())) {
            response.getOutputStream().write(body);
        }
    }

    static String json(Cluster cluster, ServerStatus status) {
        String node = cluster.localNode().value();
        int members;
        int local;
        int total;
        try {
            members = cluster.nodes().size();
            local = cluster.registry().localCount();
            total = cluster.registry().clusterCount();
        } catch (RuntimeException e) {
            members = 0;
            local = 0;
            total = 0;
        }
        return "{\"node\":\"" + node + "\",\"members\":" + members + ",\"localSessions\":" + local
                + ",\"clusterSessions\":" + total + ",\"status\":\"" + status.name().toLowerCase(Locale.ROOT) + "\"}";
    }
}
