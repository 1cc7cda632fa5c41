package io.wscluster.tyrus.internal;

import io.wscluster.tyrus.AdmissionSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The most client sockets a server keeps open, so that it never runs out of file descriptors: what
 * {@code AdmissionSettings.maxSockets} says, else the process's file-descriptor limit
 * ({@code ulimit -n}) minus {@code fileDescriptorReserve}.
 */
final class SocketBound {

    private static final Logger LOG = LoggerFactory.getLogger(SocketBound.class);

    private SocketBound() {
    }

    /**
     * The most client sockets to keep open: the explicit setting, else the file-descriptor limit minus
     * the reserve (at least half the limit), else no bound.
     */
    static int of(AdmissionSettings a, int port) {
        if (a.maxSockets() > 0) {
            return a.maxSockets();
        }
        long limit = fileDescriptorLimit();
        if (limit <= 0) {
            return Integer.MAX_VALUE;
        }
        long bound = limit - a.fileDescriptorReserve();
        if (bound < limit / 2) {
            LOG.warn("File-descriptor limit {} leaves too little above the reserve of {}: accepting at most {} sockets"
                    + " on port {}; raise ulimit -n", limit, a.fileDescriptorReserve(), limit / 2, port);
            bound = limit / 2;
        }
        if (bound < a.maxConnections()) {
            LOG.warn("maxConnections {} exceeds the {} sockets the file-descriptor limit {} allows on port {}"
                    + " (reserve {}); raise ulimit -n to at least {}", a.maxConnections(), bound, limit, port,
                    a.fileDescriptorReserve(), (long) a.maxConnections() + a.fileDescriptorReserve());
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, bound));
    }

    /** @return the process's file-descriptor limit, or -1 where it cannot be read */
    static long fileDescriptorLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }
}
