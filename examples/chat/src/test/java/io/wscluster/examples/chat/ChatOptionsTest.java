package io.wscluster.examples.chat;

import io.wscluster.tyrus.OverflowPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command line of chat-protocol.md, "Starting a node". */
class ChatOptionsTest {

    @Test
    @DisplayName("defaults are the protocol's")
    void defaults() {
        ChatOptions o = ChatOptions.parse();
        assertThat(o.host).isEqualTo("0.0.0.0");
        assertThat(o.clusterHost).isEqualTo("127.0.0.1");
        assertThat(o.port).isEqualTo(8080);
        assertThat(o.clusterPort).isEqualTo(5701);
        assertThat(o.members).isEmpty();
        assertThat(o.maxMessageBytes).isEqualTo(65_536);
        assertThat(o.rateLimit).isEqualTo(200);
        assertThat(o.rateBurst).isEqualTo(600);
        assertThat(o.failureTimeoutMs).isEqualTo(10_000);
        assertThat(o.overflowPolicy).isEqualTo(OverflowPolicy.CLOSE);
        assertThat(o.maxConnectionsPerAddress).isZero();
        assertThat(o.handshakeTimeoutMs).isEqualTo(10_000);
        assertThat(o.silenceTimeoutMs).isZero();
        assertThat(o.trustedProxies).isEmpty();
        assertThat(o.historySize).isEqualTo(100);
        assertThat(o.historyTtlMs).isEqualTo(300_000);
    }

    @Test
    @DisplayName("the protocol's example command line parses")
    void protocolExample() {
        ChatOptions o = ChatOptions.parse("--port", "8081", "--cluster-port", "5701",
                "--members", "127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703", "--cluster-name", "demo");
        assertThat(o.port).isEqualTo(8081);
        assertThat(o.members).containsExactly("127.0.0.1:5701", "127.0.0.1:5702", "127.0.0.1:5703");
        assertThat(o.clusterName).isEqualTo("demo");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--port|70000|--port must be 0..65535 but was 70000",
            "--rate-limit|-1|--rate-limit must be >= 0 but was -1.0",
            "--rate-burst|0|--rate-burst must be >= 1 but was 0",
            "--max-message-bytes|0|--max-message-bytes must be >= 1 but was 0",
            "--failure-timeout-ms|500|--failure-timeout-ms must be >= 2000 but was 500",
            "--socket-send-buffer|100|--socket-send-buffer must be 0 (system default) or >= 4096 but was 100",
            "--members|localhost|--members must be HOST:PORT addresses but one was 'localhost'",
            "--max-connections-per-address|-1|--max-connections-per-address must be >= 0 but was -1",
            "--handshake-timeout-ms|0|--handshake-timeout-ms must be >= 1 but was 0",
            "--silence-timeout-ms|-5|--silence-timeout-ms must be >= 0 but was -5",
            "--trusted-proxies|lb.example|--trusted-proxies must be IP addresses but one was 'lb.example'",
            "--history-size|-1|--history-size must be 0..100000 but was -1",
            "--history-size|100001|--history-size must be 0..100000 but was 100001",
            "--history-ttl-ms|0|--history-ttl-ms must be >= 1 but was 0"})
    @DisplayName("an out-of-range value is refused with a message naming the flag and the value")
    void badValue_refused(String flag, String value, String message) {
        assertThatThrownBy(() -> ChatOptions.parse(flag, value))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(message);
    }

    @Test
    @DisplayName("--help documents every flag with its default")
    void help_listsDefaults() {
        String usage = new CommandLine(new ChatMain()).getUsageMessage();
        assertThat(usage).contains("--port", "Default: 8080", "--host", "Default: 0.0.0.0", "--cluster-host", "Default: 127.0.0.1",
                "--members", "--cluster-name", "--max-message-bytes", "Default: 65536", "--rate-limit", "Default: 200",
                "--rate-burst", "Default: 600", "--failure-timeout-ms", "Default: 10000", "--cluster-port",
                "--max-connections-per-address", "--handshake-timeout-ms", "--silence-timeout-ms", "--trusted-proxies",
                "--cluster-secret", "--cluster-secret-file", "--history-size=N", "--history-ttl-ms=MS", "Default: 300000");
    }

    @Test
    @DisplayName("issue 14: without --cluster-name a lone node makes up a random name; with --members the name is required")
    void clusterName_randomForALoneNode_requiredWithMembers() {
        String first = ChatOptions.parse().clusterName;
        String second = ChatOptions.parse().clusterName;
        assertThat(first).matches("chat-[0-9a-f]{16}").isNotEqualTo(second).isNotEqualTo("wscluster");
        assertThatThrownBy(() -> ChatOptions.parse("--members", "127.0.0.1:5701,127.0.0.1:5702"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageStartingWith("--cluster-name is required with --members");
    }

    @Test
    @DisplayName("issue 14: a cluster port off loopback needs a cluster secret, from the flag or a file")
    void clusterSecret_requiredOffLoopback(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertThatThrownBy(() -> ChatOptions.parse("--cluster-host", "0.0.0.0"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageStartingWith("--cluster-secret or --cluster-secret-file is required when --cluster-host is not a loopback"
                        + " address (it was 0.0.0.0)");
        assertThat(ChatOptions.parse("--cluster-host", "127.0.0.10").clusterSecret()).isNull();
        assertThat(ChatOptions.parse("--cluster-host", "0.0.0.0", "--cluster-secret", "0123456789abcdef").clusterSecret())
                .isEqualTo("0123456789abcdef");
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("secret"), "  file-secret-0123456789\n");
        assertThat(ChatOptions.parse("--cluster-host", "0.0.0.0", "--cluster-secret-file", file.toString()).clusterSecret())
                .isEqualTo("file-secret-0123456789");
        assertThatThrownBy(() -> ChatOptions.parse("--cluster-secret", "short"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--cluster-secret must be at least 16 bytes but was 5");
        assertThatThrownBy(() -> ChatOptions.parse("--cluster-secret", "0123456789abcdef", "--cluster-secret-file", file.toString()))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--cluster-secret and --cluster-secret-file cannot both be given");
        assertThatThrownBy(() -> ChatOptions.parse("--cluster-secret-file", dir.resolve("missing").toString()))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageStartingWith("--cluster-secret-file " + dir.resolve("missing") + " cannot be read");
    }
}
