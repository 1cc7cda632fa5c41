package io.wscluster.tyrus.internal;

import io.wscluster.CloseCode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs socket closes the server decides (slow consumer, kick, drain), and the cluster-side
 * deregistration of a slow consumer, on a small executor of its own: never on the cluster's fan-out
 * thread, which a slow socket must not block. Once shut down, the caller runs the task itself.
 */
final class SessionCloser {

    private static final Logger LOG = LoggerFactory.getLogger(SessionCloser.class);

    private final ExecutorService executor;

    SessionCloser(int port) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "wscluster-close-" + port);
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
    }

    /** Closes a session's socket on the executor, if it is still open. */
    void closeAsync(Session session, CloseReason reason) {
        execute(() -> closeNow(session, reason));
    }

    /** Runs a task on the executor, or here once the executor is shut down. */
    void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    void shutdown() {
        executor.shutdownNow();
    }

    static CloseReason toReason(CloseCode code) {
        return new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()), code.reason());
    }

    private static void closeNow(Session session, CloseReason reason) {
        try {
            if (session.isOpen()) {
                session.close(reason);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing session {} failed: {}", session.getId(), e.toString());
        }
    }
}
