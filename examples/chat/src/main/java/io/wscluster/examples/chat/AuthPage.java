package io.wscluster.examples.chat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The browser page's resources, plus one file made at start-up, {@code auth.js}, that tells the page
 * how this node authenticates ({@code "token"} or {@code "demo"}), so that the page says so and asks for
 * a token when one is needed.
 *
 * <p>The page is served from the class path; the generated file sits in a temporary directory that a
 * class loader adds after the class path (the class path has no {@code web/auth.js}), and is deleted
 * when the node stops.
 */
final class AuthPage implements AutoCloseable {

    private final Path dir;
    private final Path file;
    private final URLClassLoader loader;

    private AuthPage(Path dir, Path file, URLClassLoader loader) {
        this.dir = dir;
        this.file = file;
        this.loader = loader;
    }

    /**
     * @param tokens true if the node requires tokens, false in demo mode
     * @return the page's resources
     */
    static AuthPage create(boolean tokens) {
        try {
            Path dir = Files.createTempDirectory("wscluster-chat-page");
            Path web = Files.createDirectory(dir.resolve("web"));
            Path file = Files.writeString(web.resolve("auth.js"),
                    "window.wsclusterChatAuth = '" + (tokens ? "token" : "demo") + "';\n", StandardCharsets.UTF_8);
            URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, AuthPage.class.getClassLoader());
            return new AuthPage(dir, file, loader);
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the page's auth.js into a temporary directory", e);
        }
    }

    /** @return the class loader that serves {@code web/} with {@code auth.js} */
    ClassLoader loader() {
        return loader;
    }

    @Override
    public void close() {
        try {
            loader.close();
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
