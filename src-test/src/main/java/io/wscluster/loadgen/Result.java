package io.wscluster.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The figures of one run against one set of servers. */
final class Result {

    final Settings s;
    final String target;
    final int servers;
    final List<String> logs;
    int opened;
    int failedConnects;
    double connectSeconds;
    double joinSeconds;
    long sent;
    long windowSent;
    long expected;
    long windowDistinct;
    long deliveries;
    long windowDeliveries;
    long duplicates;
    long reordered;
    long errors;
    long unexpected;
    long stalls;
    long sendFailures;
    int closedDuringRun;
    long[] nodeCpuNanos = new long[0];
    long generatorCpuNanos;
    /** Busy CPU of the machine in the window that was neither the servers' nor the generator's (other work). */
    long otherCpuNanos;
    String loadBefore = "?";
    String loadAfter = "?";
    long[] rss = new long[0];
    /** TCP bytes each server received in the window (client frames and cluster traffic), -1 if unknown. */
    long[] tcpBytesIn = new long[0];
    final Histogram latency = new Histogram();
    final Histogram connectLatency = new Histogram();
    final List<String> problems = new ArrayList<>();
    // idle
    long[] rssBefore = new long[0];
    long[] rssAfter = new long[0];
    /** RSS read after the full GC that measures the live heap, as {@link #rssBefore} is. */
    long[] rssAfterGc = new long[0];
    long[] heapBefore = new long[0];
    long[] heapAfter = new long[0];
    long clusterSessions = -1;

    Result(Settings s, Cluster cluster) {
        this.s = s;
        this.target = cluster.kind;
        this.servers = cluster.addresses.size();
        this.logs = cluster.logs();
    }

    long lost() {
        return expected - windowDistinct;
    }

    double deliveriesPerSecond() {
        return windowDeliveries / s.duration;
    }

    long totalCpuNanos() {
        long sum = 0;
        for (long c : nodeCpuNanos) {
            sum += c;
        }
        return sum;
    }

    double cpuMicrosPerDelivery() {
        return windowDeliveries == 0 ? Double.NaN : totalCpuNanos() / 1e3 / windowDeliveries;
    }

    double connectsPerSecond() {
        return opened / connectSeconds;
    }

    long rssDeltaTotal() {
        long sum = 0;
        for (int i = 0; i < rssAfter.length; i++) {
            sum += rssAfter[i] - rssBefore[i];
        }
        return sum;
    }

    long heapDeltaTotal() {
        long sum = 0;
        for (int i = 0; i < heapAfter.length; i++) {
            if (heapAfter[i] < 0 || heapBefore[i] < 0) {
                return -1;
            }
            sum += heapAfter[i] - heapBefore[i];
        }
        return sum;
    }

    String rateText() {
        if (s.isIdle()) {
            return "-";
        }
        return s.rate <= 0 ? "max (window " + s.window + ")"
                : String.format(Locale.ROOT, "%.0f sends/s = %.0f deliv/s", s.rate, s.rate * s.receiversPerSend());
    }

    String describe() {
        StringBuilder b = new StringBuilder();
        String scenario = s.scenario + (s.label == null ? "" : " [" + s.label + "]");
        b.append(String.format(Locale.ROOT, "== %s on %s (%d server%s): %d clients, %d rooms, %d publishers, rate %s, payload %d B%n",
                scenario, target, servers, servers == 1 ? "" : "s", s.clients, s.rooms, s.publishers, rateText(), s.payload));
        b.append(String.format(Locale.ROOT, "   connect: %d open, %d failed, %.2f s = %.0f connects/s, handshake p50 %.1f ms p99 %.1f ms max %.1f ms%n",
                opened, failedConnects, connectSeconds, connectsPerSecond(), connectLatency.quantile(0.5) / 1e3,
                connectLatency.quantile(0.99) / 1e3, connectLatency.max() / 1e3));
        if (s.isIdle()) {
            long delta = rssDeltaTotal();
            b.append(String.format(Locale.ROOT, "   memory: RSS before %s MB, after %s MB; delta %.1f MB = %.0f B per connection (all in)%n",
                    mb(rssBefore), mb(rssAfter), delta / 1048576.0, (double) delta / Math.max(1, opened)));
            if (heapDeltaTotal() >= 0) {
                b.append(String.format(Locale.ROOT, "   live heap after a full GC: before %s MB, after %s MB; delta %.0f B per connection%n",
                        mb(heapBefore), mb(heapAfter), (double) heapDeltaTotal() / Math.max(1, opened)));
            } else {
                b.append("   live heap after a full GC: not measured (servers that are not JVMs, or jcmd failed)\n");
            }
            if (rssAfterGc.length == rssBefore.length && rssAfterGc.length > 0) {
                long gcDelta = 0;
                for (int i = 0; i < rssAfterGc.length; i++) {
                    gcDelta += rssAfterGc[i] - rssBefore[i];
                }
                b.append(String.format(Locale.ROOT, "   RSS after that full GC: %s MB; delta %.1f MB = %.0f B per connection (both ends after a full GC)%n",
                        mb(rssAfterGc), gcDelta / 1048576.0, (double) gcDelta / Math.max(1, opened)));
            }
            b.append(String.format(Locale.ROOT, "   CPU during the connects: servers %s s, generator %.1f s, others on the machine %.1f s in %.2f s; load average %s -> %s%n",
                    seconds(nodeCpuNanos), generatorCpuNanos / 1e9, otherCpuNanos / 1e9, connectSeconds, loadBefore, loadAfter));
            if (clusterSessions >= 0) {
                b.append("   /health clusterSessions: ").append(clusterSessions).append('\n');
            }
        } else {
            b.append(String.format(Locale.ROOT, "   joins: %.2f s%n", joinSeconds));
            b.append(String.format(Locale.ROOT, "   sent %d (%d in the %.0f s window), expected %d, delivered %d, lost %d, duplicated %d, reordered %d%n",
                    sent, windowSent, s.duration, expected, windowDistinct, lost(), duplicates, reordered));
            b.append(String.format(Locale.ROOT, "   deliveries/s %.0f; latency ms p50 %.2f p99 %.2f p99.9 %.2f max %.2f (%d samples)%n",
                    deliveriesPerSecond(), latency.quantile(0.5) / 1e3, latency.quantile(0.99) / 1e3,
                    latency.quantile(0.999) / 1e3, latency.max() / 1e3, latency.count()));
            b.append(String.format(Locale.ROOT, "   server CPU %.2f us/delivery, %.0f%% of %d cores; per server CPU s %s; RSS MB %s%n",
                    cpuMicrosPerDelivery(), 100.0 * totalCpuNanos() / (s.duration * 1e9) / Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().availableProcessors(), seconds(nodeCpuNanos), mb(rss)));
            b.append("   TCP bytes received per server in the window:");
            for (long v : tcpBytesIn) {
                b.append(' ').append(v);
            }
            b.append('\n');
            b.append(String.format(Locale.ROOT, "   generator CPU %.0f%% of one core; other processes on the machine %.0f%% of one core; load average %s -> %s%n",
                    100.0 * generatorCpuNanos / (s.duration * 1e9), 100.0 * otherCpuNanos / (s.duration * 1e9), loadBefore, loadAfter));
            b.append(String.format(Locale.ROOT, "   errors %d, unexpected frames %d, closed %d, stalls %d, send failures %d%n",
                    errors, unexpected, closedDuringRun, stalls, sendFailures));
        }
        for (String p : problems) {
            b.append("   ! ").append(p).append('\n');
        }
        return b.toString();
    }

    /** One markdown table row. */
    String row() {
        if (s.isIdle()) {
            return String.format(Locale.ROOT, "| %s | %s | %d | %d | %.0f | %.1f / %.1f | %.0f | %s | %s → %s | %.0f%% |",
                    s.scenario, target, servers, opened, connectsPerSecond(), connectLatency.quantile(0.5) / 1e3,
                    connectLatency.quantile(0.99) / 1e3, (double) rssDeltaTotal() / Math.max(1, opened),
                    heapDeltaTotal() < 0 ? "–" : String.format(Locale.ROOT, "%.0f", (double) heapDeltaTotal() / Math.max(1, opened)),
                    mb(rssBefore), mb(rssAfter),
                    100.0 * otherCpuNanos / (connectSeconds * 1e9));
        }
        return String.format(Locale.ROOT, "| %s | %s | %d | %s | %d | %d | %d | %d | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %.0f%% | %.0f%% |",
                s.scenario, target, servers, rateText(), windowSent, expected, lost(), duplicates, reordered,
                deliveriesPerSecond(), latency.quantile(0.5) / 1e3, latency.quantile(0.99) / 1e3,
                latency.quantile(0.999) / 1e3, latency.max() / 1e3, cpuMicrosPerDelivery(), mb(rss),
                100.0 * generatorCpuNanos / (s.duration * 1e9), 100.0 * otherCpuNanos / (s.duration * 1e9));
    }

    private static String mb(long[] bytes) {
        StringBuilder b = new StringBuilder();
        for (long v : bytes) {
            if (b.length() > 0) {
                b.append('+');
            }
            b.append(String.format(Locale.ROOT, "%.0f", v / 1048576.0));
        }
        return b.toString();
    }

    private static String seconds(long[] nanos) {
        StringBuilder b = new StringBuilder();
        for (long v : nanos) {
            if (b.length() > 0) {
                b.append('+');
            }
            b.append(String.format(Locale.ROOT, "%.1f", v / 1e9));
        }
        return b.toString();
    }
}
