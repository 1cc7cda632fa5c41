package io.wscluster.examples.chat.support;

import io.wscluster.testkit.FreePorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * nginx in front of chat nodes, configured from {@code examples/nginx/chat-lb.conf.template} (the same
 * file {@code examples/run-cluster.sh} uses), in a temporary directory, on 127.0.0.1. Stopped by its
 * own process (SIGTERM to the master, which stops its worker).
 */
public final class Nginx implements AutoCloseable {

    /** The balancing modes of run-cluster.sh. */
    public enum Mode {
        /** Stateless: a consistent hash of the client address picks the node. */
        HASH("hash $remote_addr consistent;"),
        /** Stateful: the node with the fewest open connections. */
        LEAST("least_conn;");

        private final String directive;

        Mode(String directive) {
            this.directive = directive;
        }
    }

    private final Process process;
    private final Path dir;
    private final int port;

    private Nginx(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /**
     * Starts nginx.
     *
     * @param binary   the nginx program
     * @param mode     the balancing mode
     * @param backends the chat nodes' ports on 127.0.0.1
     * @return the running nginx, accepting connections
     */
    public static Nginx start(Path binary, Mode mode, List<Integer> backends) {
        try {
            Path template = examplesDir().resolve("nginx/chat-lb.conf.template");
            Path dir = Files.createTempDirectory("chat-nginx-");
            // The workers run as an unprivileged user when nginx is started by root.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            int port = FreePorts.of(1)[0];
            // As run-cluster.sh fills it: a line naming the server is written once per backend.
            String config = Files.readAllLines(template, StandardCharsets.UTF_8).stream()
                    .map(line -> line.contains("@SERVER@")
                            ? backends.stream().map(p -> line.replace("@SERVER@", "127.0.0.1:" + p)).collect(Collectors.joining("\n"))
                            : line)
                    .collect(Collectors.joining("\n", "", "\n"))
                    .replace("@DIR@", dir.toString())
                    .replace("@LISTEN@", Integer.toString(port))
                    .replace("@BALANCE@", mode.directive);
            Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, config, StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(binary.toString(), "-p", dir.toString(), "-c", conf.toString(), "-e", dir.resolve("error.log").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
            Nginx nginx = new Nginx(process, dir, port);
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("nginx exited with " + process.exitValue() + ": "
                                + Files.readString(dir.resolve("stdout.log")) + readOrEmpty(dir.resolve("error.log")));
                    }
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
            } catch (RuntimeException e) {
                nginx.close();
                throw e;
            }
            return nginx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readOrEmpty(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** @return the examples directory of the source tree */
    public static Path examplesDir() {
        String configured = System.getProperty("chat.examples.dir");
        return configured != null ? Path.of(configured) : Path.of("..");
    }

    /** @return the port nginx listens on */
    public int port() {
        return port;
    }

    /** @return nginx's error log */
    public String errorLog() {
        try {
            return readOrEmpty(dir.resolve("error.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * Stops nginx's master and worker in their tracks (SIGSTOP): the balancer stalls, its open
     * connections stay open but nothing passes or closes until {@link #unpause()}. A test uses it to hold
     * a client's reconnect back for as long as it needs.
     */
    public void pause() {
        signal("-STOP");
    }

    /** Lets a {@link #pause() paused} nginx run again (SIGCONT). */
    public void unpause() {
        signal("-CONT");
    }

    private void signal(String signal) {
        List<String> command = new java.util.ArrayList<>(List.of("kill", signal, Long.toString(process.pid())));
        process.descendants().forEach(worker -> command.add(Long.toString(worker.pid())));
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(kill.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                signal("-CONT"); // a paused nginx would not act on SIGTERM
            } catch (IllegalStateException e) {
                // a worker that exited meanwhile: SIGTERM below and destroyForcibly still end the master
            }
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
