package io.wscluster.spi;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;
import org.slf4j.helpers.NOPLoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Without an SLF4J provider every log line vanishes: the user gets one line on System.err saying what to add. */
class LoggingCheckTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void check_noProvider_warnsOnceWithOneLine() {
        LoggingCheck check = new LoggingCheck();

        assertThat(check.check(new NOPLoggerFactory(), err)).isTrue();
        assertThat(check.check(new NOPLoggerFactory(), err)).isFalse();

        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo(LoggingCheck.NO_PROVIDER_WARNING + System.lineSeparator())
                .contains("logback-classic");
    }

    @Test
    void check_providerBound_staysSilent() {
        LoggingCheck check = new LoggingCheck();

        assertThat(check.check(name -> NOPLogger.NOP_LOGGER, err)).isFalse();

        assertThat(bytes.size()).isZero();
    }

    @Test
    void warnIfNoProvider_thisModulesTestClassPathHasNoProvider_writesToSystemErrOnly() {
        // wscluster-api's tests have slf4j-api and no provider, like an application that forgot one.
        assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(NOPLoggerFactory.class);
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(err);
            LoggingCheck.warnIfNoProvider();
            LoggingCheck.warnIfNoProvider();
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(LoggingCheck.NO_PROVIDER_WARNING + System.lineSeparator());
        assertThat(out.size()).isZero();
    }
}
