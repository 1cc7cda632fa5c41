package io.wscluster.tyrus.internal;

import io.wscluster.Cluster;
import io.wscluster.tyrus.ServerStatus;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code GET /health}: 200 with {@code {"node","members","localSessions","clusterSessions","untrustedMembers","status"}}
 * while running, 503 with the same object while starting or draining, and 503 with
 * {@code "status":"unavailable"} and a {@code "reason"} while the cluster node serves no client
 * ({@link Cluster#unavailableReason()}: it stalled or was cut off and has not re-entered the cluster).
 *
 * <p>The cluster-wide count is one call to every member; while a member is unreachable (a split not
 * yet detected) that call can block for seconds, and a health check must not. So the count is taken
 * at most once at a time, on a thread of its own. A count younger than {@link #FRESH_MILLIS} is
 * answered at once (a new one is taken in the background); an older one is waited for at most
 * {@link #COUNT_WAIT_MILLIS} (a quarter of the one second a health check may take), and otherwise
 * health answers with the last count it had while the call finishes in the background. Everything
 * else it reports is local state.
 */
final class HealthHandler extends HttpHandler {

    static final long COUNT_WAIT_MILLIS = 250;
    static final long FRESH_MILLIS = 1_000;

    private final ServerRuntime runtime;
    private final AtomicReference<CompletableFuture<Integer>> counting = new AtomicReference<>();
    private volatile int lastCount;
    private volatile long lastCountAt = Long.MIN_VALUE;

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
        Cluster cluster = runtime.settings().cluster();
        String unavailable = status == ServerStatus.RUNNING ? unavailableReason(cluster) : null;
        byte[] body = json(cluster, status, unavailable).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status == ServerStatus.RUNNING && unavailable == null ? 200 : 503);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        if (Method.GET.equals(request.getMethod())) {
            response.getOutputStream().write(body);
        }
    }

    /** @return why the cluster node serves no client, or null while it serves */
    private static String unavailableReason(Cluster cluster) {
        try {
            return cluster.unavailableReason().orElse(null);
        } catch (RuntimeException e) {
            return "the cluster could not say whether it serves: " + e;
        }
    }

    String json(Cluster cluster, ServerStatus status, String unavailable) {
        String node = cluster.localNode().value();
        int members;
        int local;
        int total;
        int untrusted;
        try {
            members = cluster.nodes().size();
            untrusted = cluster.stats().untrustedMembers();
            local = cluster.registry().localCount();
            total = clusterCount(cluster);
        } catch (RuntimeException e) {
            members = 0;
            local = 0;
            total = 0;
            untrusted = 0;
        }
        return "{\"node\":\"" + node + "\",\"members\":" + members + ",\"localSessions\":" + local
                + ",\"clusterSessions\":" + total + ",\"untrustedMembers\":" + untrusted + ",\"status\":\""
                + (unavailable == null ? status.name().toLowerCase(Locale.ROOT) + "\"}" : "unavailable\",\"reason\":\"" + escape(unavailable) + "\"}");
    }

    private int clusterCount(Cluster cluster) {
        CompletableFuture<Integer> count = counting.get();
        if (count == null) {
            CompletableFuture<Integer> started = new CompletableFuture<>();
            if (counting.compareAndSet(null, started)) {
                Executor background = task -> {
                    Thread thread = new Thread(task, "wsc-health-count");
                    thread.setDaemon(true);
                    thread.start();
                };
                CompletableFuture.supplyAsync(() -> cluster.registry().clusterCount(), background)
                        .whenComplete((value, error) -> {
                            if (value != null) {
                                lastCount = value;
                                lastCountAt = System.nanoTime();
                                started.complete(value);
                            } else {
                                started.completeExceptionally(error);
                            }
                            counting.set(null);
                        });
                count = started;
            } else {
                count = counting.get();
                if (count == null) {
                    return lastCount;
                }
            }
        }
        if (lastCountAt != Long.MIN_VALUE && System.nanoTime() - lastCountAt < TimeUnit.MILLISECONDS.toNanos(FRESH_MILLIS)) {
            return lastCount;
        }
        try {
            return count.get(COUNT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return lastCount;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return lastCount;
        }
    }

    /** @return the text as the inside of a JSON string */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
