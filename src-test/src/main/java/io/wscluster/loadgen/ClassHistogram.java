package io.wscluster.loadgen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an idle connection holds, by class: the servers' class histograms (live objects, after the
 * full GC {@code jcmd GC.class_histogram} runs) taken with no client connected and again with N
 * connected; the difference summed over all servers and divided by N. Cluster records spread over
 * the nodes are counted once wherever they live.
 */
final class ClassHistogram {

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /** Class name to {instances, bytes}. */
    private final Map<String, long[]> rows = new HashMap<>();

    static ClassHistogram parse(String jcmdOutput) {
        ClassHistogram h = new ClassHistogram();
        for (String line : jcmdOutput.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                long[] row = h.rows.computeIfAbsent(m.group(3), k -> new long[2]);
                row[0] += Long.parseLong(m.group(1));
                row[1] += Long.parseLong(m.group(2));
            }
        }
        return h;
    }

    void add(ClassHistogram other) {
        other.rows.forEach((name, row) -> {
            long[] mine = rows.computeIfAbsent(name, k -> new long[2]);
            mine[0] += row[0];
            mine[1] += row[1];
        });
    }

    /**
     * @return a table of the classes whose bytes grew (or shrank) by at least {@code minBytes} per
     *     connection from {@code before} to this, largest first, with a total line
     */
    String perConnection(ClassHistogram before, int connections, double minBytes) {
        List<Object[]> grown = new ArrayList<>();
        double total = 0;
        for (Map.Entry<String, long[]> e : rows.entrySet()) {
            long[] b = before.rows.getOrDefault(e.getKey(), new long[2]);
            double instances = (e.getValue()[0] - b[0]) / (double) connections;
            double bytes = (e.getValue()[1] - b[1]) / (double) connections;
            total += bytes;
            if (Math.abs(bytes) >= minBytes) {
                grown.add(new Object[] {e.getKey(), instances, bytes});
            }
        }
        for (Map.Entry<String, long[]> e : before.rows.entrySet()) {
            if (!rows.containsKey(e.getKey())) {
                double bytes = -e.getValue()[1] / (double) connections;
                total += bytes;
                if (Math.abs(bytes) >= minBytes) {
                    grown.add(new Object[] {e.getKey(), -e.getValue()[0] / (double) connections, bytes});
                }
            }
        }
        grown.sort((x, y) -> Double.compare((double) y[2], (double) x[2]));
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "| class | instances per connection | bytes per connection |%n|---|---|---|%n"));
        for (Object[] row : grown) {
            out.append(String.format(Locale.ROOT, "| %s | %.2f | %.0f |%n", row[0], row[1], row[2]));
        }
        out.append(String.format(Locale.ROOT, "| all classes (%d connections) | | %.0f |%n", connections, total));
        return out.toString();
    }
}
