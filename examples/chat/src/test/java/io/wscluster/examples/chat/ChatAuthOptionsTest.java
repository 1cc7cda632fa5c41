package io.wscluster.examples.chat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The authentication and origin flags of chat-protocol "Authentication (protocol 2)". */
class ChatAuthOptionsTest {

    @Test
    void noSecret_isDemoMode() {
        assertThat(ChatOptions.parse().authSecret()).isNull();
        assertThat(ChatOptions.parse().allowedOrigins).isEmpty();
    }

    @Test
    void secretFile_dropsOneTrailingLineBreak(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), "s3cret with spaces \n");
        assertThat(new String(ChatOptions.parse("--auth-secret-file", file.toString()).authSecret(), StandardCharsets.UTF_8))
                .isEqualTo("s3cret with spaces ");
        assertThat(new String(ChatOptions.parse("--auth-secret", "abc").authSecret(), StandardCharsets.UTF_8)).isEqualTo("abc");
    }

    @Test
    void conflictingOrBadFlags_areRefusedNamingTheFlag(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> ChatOptions.parse("--auth-secret", "a", "--auth-secret-file", empty.toString()))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--auth-secret and --auth-secret-file are both set: give one");
        assertThatThrownBy(() -> ChatOptions.parse("--auth-audience", "chat"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--auth-audience needs --auth-secret or --auth-secret-file");
        assertThatThrownBy(() -> ChatOptions.parse("--auth-secret-file", empty.toString()))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--auth-secret-file must not be empty but '" + empty + "' was");
        assertThatThrownBy(() -> ChatOptions.parse("--auth-secret-file", dir.resolve("absent").toString()))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageStartingWith("--auth-secret-file cannot be read: '" + dir.resolve("absent") + "'");
        assertThatThrownBy(() -> ChatOptions.parse("--allowed-origins", "https://ok.example,chat.example"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--allowed-origins must be scheme://host[:port] or null but one was 'chat.example'");
        assertThat(ChatOptions.parse("--allowed-origins", "https://a.example,null").allowedOrigins)
                .containsExactly("https://a.example", "null");
    }

    @Test
    void help_documentsTheFlags() {
        String usage = new CommandLine(new ChatMain()).getUsageMessage();
        assertThat(usage).contains("--auth-secret=KEY", "--auth-secret-file=PATH", "--auth-audience=AUDIENCE",
                "--allowed-origins=ORIGIN", "demo mode", "Default: any origin");
    }
}
