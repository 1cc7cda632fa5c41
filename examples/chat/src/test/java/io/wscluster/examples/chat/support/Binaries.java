package io.wscluster.examples.chat.support;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the external programs some tests drive (nginx, chromium, chromedriver). In CI ({@code CI=true})
 * a missing program fails the test with the command that installs it; elsewhere the test is skipped
 * with the same message, so a developer without them still runs everything else.
 */
public final class Binaries {

    private Binaries() {
    }

    /**
     * The path of a program, or a failed (CI) or aborted (elsewhere) test.
     *
     * @param name        the program, e.g. {@code nginx}
     * @param installHint how to install it, e.g. {@code apt-get install -y nginx}
     * @return its path
     */
    public static Path require(String name, String installHint) {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, name));
                }
            }
        }
        candidates.add(Path.of("/usr/sbin", name));
        candidates.add(Path.of("/usr/bin", name));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = "'" + name + "' is not installed (looked in PATH, /usr/sbin, /usr/bin); install it with: " + installHint;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + " (CI=true: this test must run in CI)");
        }
        Assumptions.abort(message + " (skipped outside CI)");
        throw new AssertionError("unreachable");
    }
}
