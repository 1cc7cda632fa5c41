package io.wscluster.examples.chat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the node when the JVM is asked to stop (SIGTERM, Ctrl-C), then exits with status 0.
 *
 * <p>On SIGTERM the JVM runs its shutdown hooks and would then exit with 143 (128 + 15); the protocol
 * asks for 0 after a drain, so the hook ends the process itself with {@link Runtime#halt(int)} once the
 * drain is done. A watchdog bounds the whole drain: past the deadline the process exits anyway, and the
 * other nodes remove what this one left behind within their failure timeout.
 */
final class Shutdown {

    private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

    private Shutdown() {
    }

    /**
     * Installs the hook.
     *
     * @param node       the node to drain
     * @param deadlineMs longest time from the signal to the exit
     */
    static void drainOnTermination(ChatNode node, long deadlineMs) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(deadlineMs);
                    LOG.error("Drain did not finish within {} ms; exiting anyway", deadlineMs);
                    Runtime.getRuntime().halt(0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "chat-exit-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            LOG.info("Termination signal: draining node {}", node.cluster().localNode());
            node.drain();
            Runtime.getRuntime().halt(0);
        }, "chat-drain"));
    }
}
