package io.wscluster.examples.chat;

import io.wscluster.examples.chat.support.Nginx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code examples/run-cluster.sh}'s command line, run with bash: every bad argument is refused at once
 * with exit status 2 and one line naming the problem (before anything is built or started). Guards
 * against an option without its value ending the script with status 1 and no word.
 */
class RunClusterScriptTest {

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", Nginx.examplesDir().resolve("run-cluster.sh").toString()));
        command.addAll(Arrays.asList(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("run-cluster.sh " + String.join(" ", args) + " did not exit within 20 s");
        }
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
            "--nodes                  | --nodes needs a value",
            "--port                   | --port needs a value",
            "--base-port              | --base-port needs a value",
            "--cluster-base-port      | --cluster-base-port needs a value",
            "--mode                   | --mode needs a value",
            "--port --nodes 2         | --port needs a value, not '--nodes'",
            "--nodes x                | --nodes must be a number from 1 to 100, not 'x'",
            "--nodes 0                | --nodes must be a number from 1 to 100, not '0'",
            "--port 70000             | --port must be a number from 1 to 65535, not '70000'",
            "--base-port -1           | --base-port must be a number from 1 to 65533, not '-1'",
            "--mode fast              | --mode must be least or hash, not 'fast'",
            "--verbose                | unknown argument '--verbose'",
            "extra                    | unknown argument 'extra'"})
    @DisplayName("a bad argument exits 2 with a usage error naming the problem")
    void badArgument_exits2NamingIt(String args, String problem) throws Exception {
        Run run = run(args.trim().split(" +"));
        assertThat(run.status()).as("exit status; stderr: %s", run.err()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).hasValue("run-cluster.sh: " + problem);
        assertThat(run.err()).contains("--help");
        assertThat(run.out()).isEmpty();
    }

    @Test
    @DisplayName("--help exits 0 and lists every option")
    void help_exits0WithUsage() throws Exception {
        Run run = run("--help");
        assertThat(run.status()).isZero();
        assertThat(run.out()).startsWith("Usage: ").contains("--mode least|hash", "--port N", "--base-port N",
                "--cluster-base-port N", "--nodes N", "--rebuild");
        assertThat(run.err()).isEmpty();
    }
}
