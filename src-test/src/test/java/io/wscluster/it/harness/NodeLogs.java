package io.wscluster.it.harness;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A folder for the node logs of one test class under {@code target/node-logs/}: deleted when every
 * test of the class passed, kept (and named on stderr) when one failed, or always with
 * {@code -Dwscluster.it.keepNodeLogs=true}, then in a folder per run named by its UTC start time (to
 * compare passing runs with a failing one).
 *
 * <pre>{@code
 * @RegisterExtension static final NodeLogs LOGS = new NodeLogs();
 * }</pre>
 */
public final class NodeLogs implements BeforeAllCallback, AfterAllCallback, TestWatcher {

    private static final boolean KEEP = Boolean.getBoolean("wscluster.it.keepNodeLogs");

    private final AtomicBoolean failed = new AtomicBoolean();
    private volatile Path dir;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Path.of("target", "node-logs", context.getRequiredTestClass().getSimpleName()).toAbsolutePath();
        if (KEEP) {
            // one folder per run, so that a second run does not delete the first one's logs
            dir = dir.resolve(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).format(
                    java.time.format.DateTimeFormatter.ofPattern("HHmmss.SSS")));
        }
        deleteTree(dir);
        Files.createDirectories(dir);
    }

    /** @return the class's log folder */
    public Path dir() {
        return dir;
    }

    /**
     * @param name a sub-folder name, e.g. the test method
     * @return a fresh sub-folder
     */
    public Path dir(String name) {
        try {
            return Files.createDirectories(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        failed.set(true);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (failed.get() || context.getExecutionException().isPresent() || KEEP) {
            System.err.println("node logs of " + context.getDisplayName() + " kept in " + dir);
        } else {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
