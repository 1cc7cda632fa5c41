package io.wscluster.examples.chat.support;

import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium, driven by Selenium through Debian's chromedriver: each {@link #open()}
 * starts one browser with its own temporary profile; {@link #close()} quits them all (which also stops
 * their chromedrivers) and deletes the profiles. Missing programs fail the test in CI and skip it
 * elsewhere ({@link Binaries}).
 */
public final class Chromium implements AutoCloseable {

    private static final String INSTALL = "apt-get update && apt-get install -y chromium chromium-driver";

    private final Path chromium;
    private final Path chromedriver;
    private final List<WebDriver> drivers = new ArrayList<>();
    private final List<Path> profiles = new ArrayList<>();

    private Chromium(Path chromium, Path chromedriver) {
        this.chromium = chromium;
        this.chromedriver = chromedriver;
    }

    /** @return a launcher for headless Chromium, or a failed (CI) or skipped test if it is not installed */
    public static Chromium require() {
        return new Chromium(Binaries.require("chromium", INSTALL), Binaries.require("chromedriver", INSTALL));
    }

    /** @return a new headless browser with an empty profile */
    public WebDriver open() {
        try {
            Path profile = Files.createTempDirectory("chat-chromium-");
            profiles.add(profile);
            ChromeOptions options = new ChromeOptions()
                    .setBinary(chromium.toString())
                    .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--disable-dev-shm-usage", "--user-data-dir=" + profile);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
            WebDriver driver = new ChromeDriver(service, options);
            drivers.add(driver);
            return driver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (WebDriver d : drivers) {
            d.quit(); // also stops its chromedriver
        }
        drivers.clear();
        for (Path p : profiles) {
            try (Stream<Path> files = Files.walk(p)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a profile left in the temporary directory harms nothing
            }
        }
        profiles.clear();
    }
}
