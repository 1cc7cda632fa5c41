package io.wscluster.loadgen;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code java -jar wscluster-loadgen.jar SCENARIO [options]}: drives chat nodes (chat-protocol.md)
 * with many client connections and reports what arrived, how fast and at what cost; then runs the
 * same load against the ceiling (one plain Tyrus server, no cluster) in the same invocation, or
 * against the classic design (Node.js {@code ws} nodes and Redis pub/sub, bench/node-baseline).
 * {@code java -jar wscluster-loadgen.jar jmh [JMH options]} runs the microbenchmarks.
 * Every server it starts is a child process stopped by PID at the end; only 127.0.0.1 is used.
 */
@Command(name = "wscluster-loadgen", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Load generator and benchmark runner for wscluster's chat example.",
                "Scenarios: fanout (1,000 clients, 1 room, 10 publishers), rooms (1,000 clients, 200 rooms),",
                "direct (1,000 clients, each writing to the next user), idle (5,000 idle connections: memory),",
                "connect (2,000 connects: connects/s), chat (everything from options), jmh (microbenchmarks)."})
public final class LoadGen implements Callable<Integer> {

    @Mixin
    private Settings s;

    /**
     * Entry point.
     *
     * @param args the command line
     * @throws Exception from JMH
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        int status = new CommandLine(new LoadGen()).execute(args);
        System.exit(status);
    }

    @Override
    public Integer call() throws Exception {
        s.applyPreset();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(s.maxSeconds * 1000L);
                System.err.println("loadgen: --max-seconds " + s.maxSeconds + " passed; stopping everything");
                System.exit(3); // the shutdown hook stops the servers by PID
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loadgen-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        System.out.println("# wscluster-loadgen " + String.join(" ", ProcessHandle.current().info().arguments().map(List::of).orElse(List.of())));
        System.out.println("# " + ZonedDateTime.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        List<Result> results = new ArrayList<>();
        for (String target : s.targets()) {
            results.add(runOn(target));
        }
        System.out.println();
        for (Result r : results) {
            System.out.println(r.row());
        }
        Result cluster = find(results, "cluster");
        if (cluster != null) {
            for (Result other : results) {
                if (other.target.startsWith("ceiling")) {
                    System.out.println("cluster tax: " + ratios(cluster, other, "of the ceiling"));
                } else if (other.target.equals("node")) {
                    System.out.println("against the classic design (Node ws + Redis): " + ratios(cluster, other, "of the baseline"));
                }
            }
        }
        return 0;
    }

    private static Result find(List<Result> results, String target) {
        for (Result r : results) {
            if (r.target.equals(target)) {
                return r;
            }
        }
        return null;
    }

    /** @return the cluster's figures as multiples of the other target's */
    private String ratios(Result c, Result other, String of) {
        if (s.isIdle()) {
            return String.format(java.util.Locale.ROOT, "connects/s %.2fx %s; bytes per connection %.2fx; CPU per connect %.2fx",
                    c.connectsPerSecond() / other.connectsPerSecond(), of,
                    (double) c.rssDeltaTotal() / Math.max(1, other.rssDeltaTotal()),
                    ((double) c.totalCpuNanos() / Math.max(1, c.opened)) / ((double) other.totalCpuNanos() / Math.max(1, other.opened)));
        }
        return String.format(java.util.Locale.ROOT, "deliveries/s %.2fx %s; CPU per delivery %.2fx; p99 %.2fx",
                c.deliveriesPerSecond() / other.deliveriesPerSecond(), of,
                c.cpuMicrosPerDelivery() / other.cpuMicrosPerDelivery(),
                (double) c.latency.quantile(0.99) / Math.max(1, other.latency.quantile(0.99)));
    }

    private Result runOn(String target) throws Exception {
        try (Cluster servers = Cluster.start(s, target)) {
            System.out.println("# " + servers.kind + ": ports " + servers.addresses + ", pids " + servers.pids);
            Result r = s.isIdle() ? new IdleLoad(s, servers).run() : new ChatLoad(s, servers).run();
            System.out.print(r.describe());
            append(r);
            return r;
        }
    }

    private void append(Result r) {
        Path file = s.logDir.resolve("results.md");
        try {
            Files.createDirectories(s.logDir);
            Files.writeString(file, "<!-- " + ZonedDateTime.now() + " -->\n" + r.describe() + r.row() + "\n\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            System.err.println("could not append to " + file + ": " + e);
        }
    }
}
