package io.wscluster.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of a process, from Linux's /proc (no JMX, no agent). */
final class Proc {

    /** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ; 100 on Linux builds). */
    private static final long TICKS = clockTicks();

    private Proc() {
    }

    /** @return user + system CPU time of the process in nanoseconds, or -1 if it is gone */
    static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name (which may contain spaces) start after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime (14), stime (15)
            return ticks * 1_000_000_000L / TICKS;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** @return resident set size in bytes (VmRSS), or -1 if the process is gone */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** @return CPU time all processes of the machine spent busy (user, nice, system, irq, softirq, steal), in ns */
    static long machineBusyNanos() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return busy * 1_000_000_000L / TICKS;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** @return the 1-minute load average */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /**
     * Runs a full GC in the process (jcmd GC.run) and reads the heap in use after it (jcmd GC.heap_info):
     * the live heap, free of the garbage that RSS also counts.
     *
     * @return used heap bytes after a full GC, or -1
     */
    static long heapUsedAfterGc(long pid) {
        try {
            jcmd(pid, "GC.run");
            String info = jcmd(pid, "GC.heap_info");
            long usedKb = 0;
            boolean found = false;
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("(?m)^\\s*(def new generation|tenured generation|garbage-first heap|PSYoungGen|ParOldGen)\\s+total \\d+K, used (\\d+)K")
                    .matcher(info);
            while (m.find()) {
                usedKb += Long.parseLong(m.group(2));
                found = true;
            }
            return found ? usedKb * 1024 : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** @return the first {@code lines} lines of the process's class histogram (jcmd GC.class_histogram), or "" */
    static String classHistogram(long pid, int lines) {
        try {
            String[] all = jcmd(pid, "GC.class_histogram").split("\n");
            return String.join("\n", java.util.Arrays.copyOf(all, Math.min(lines, all.length)));
        } catch (IOException | RuntimeException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Path jcmd = Path.of(javaCommand).resolveSibling("jcmd");
        Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    /**
     * TCP bytes received so far by each of the given processes, over their open sockets (from
     * {@code ss -tinp}: tcp_info's bytes_received, per socket, attributed by the socket's owner).
     *
     * @return bytes per pid in the order given, -1 where unknown
     */
    static long[] tcpBytesReceived(java.util.List<Long> pids) {
        long[] bytes = new long[pids.size()];
        java.util.Arrays.fill(bytes, -1);
        try {
            Process p = new ProcessBuilder("ss", "-tinpH").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            java.util.regex.Pattern owner = java.util.regex.Pattern.compile("pid=(\\d+),");
            java.util.regex.Pattern received = java.util.regex.Pattern.compile("bytes_received:(\\d+)");
            int current = -1;
            for (String line : out.split("\n")) {
                java.util.regex.Matcher o = owner.matcher(line);
                if (o.find()) {
                    current = pids.indexOf(Long.parseLong(o.group(1)));
                }
                java.util.regex.Matcher r = received.matcher(line);
                if (current >= 0 && r.find()) {
                    bytes[current] = Math.max(bytes[current], 0) + Long.parseLong(r.group(1));
                    current = -1;
                }
            }
        } catch (IOException | RuntimeException e) {
            return bytes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return bytes;
    }

    /** @return the number of threads, or -1 */
    static int threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring(8).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
