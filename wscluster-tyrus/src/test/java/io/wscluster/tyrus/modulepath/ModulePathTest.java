package io.wscluster.tyrus.modulepath;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * io.wscluster.tyrus works as a named module (issue 10): a JVM with the library, Tyrus, Grizzly and the
 * Jakarta APIs on the module path starts a server, answers {@code /health}, echoes through a
 * {@code @Clustered} endpoint and through a plain one under a {@code TyrusClusterContext}, and drains.
 * The module tests themselves run on the class path; this one starts {@link ModulePathMain} in a child
 * JVM, with every explicit module of the test class path on the module path and the rest (the
 * in-memory cluster, this class) on the class path.
 */
class ModulePathTest {

    @Test
    void server_onTheModulePath_servesHealthAndBothKindsOfEndpoint() throws Exception {
        List<String> modulePath = new ArrayList<>();
        List<String> classPath = new ArrayList<>();
        String testClassPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : testClassPath.split(File.pathSeparator)) {
            (isExplicitModule(Path.of(entry)) ? modulePath : classPath).add(entry);
        }
        Path out = Files.createTempFile("wscluster-module-path", ".txt");
        try {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--module-path", String.join(File.pathSeparator, modulePath),
                    "--add-modules", "io.wscluster.tyrus",
                    "-cp", String.join(File.pathSeparator, classPath),
                    ModulePathMain.class.getName())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            boolean exited = child.waitFor(120, TimeUnit.SECONDS);
            if (!exited) {
                child.destroyForcibly();
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);

            assertThat(exited).as(output).isTrue();
            assertThat(child.exitValue()).as(output).isZero();
            assertThat(output).contains("WsServer in module io.wscluster.tyrus", "health 200",
                    "clustered reply echo:hi", "tyrus cluster context reply plain:hi", "drained true");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** A jar or directory with a module-info: the library's own classes, its API, Tyrus, Grizzly, Jakarta. */
    private static boolean isExplicitModule(Path entry) {
        if (!Files.exists(entry)) {
            return false;
        }
        try {
            Set<ModuleReference> found = ModuleFinder.of(entry).findAll();
            return found.size() == 1 && !found.iterator().next().descriptor().isAutomatic();
        } catch (FindException e) {
            return false; // not a valid automatic module name: it stays on the class path
        }
    }
}
