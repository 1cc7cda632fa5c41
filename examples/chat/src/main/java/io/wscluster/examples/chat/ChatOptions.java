package io.wscluster.examples.chat;

import io.wscluster.HistorySettings;
import io.wscluster.hazelcast.HazelcastCluster;
import io.wscluster.tyrus.AdmissionSettings;
import io.wscluster.tyrus.OverflowPolicy;
import io.wscluster.tyrus.WsServer;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The chat node's command line (chat-protocol.md, "Starting a node"). Every option has a default, shown
 * by {@code --help}; {@link #validate()} rejects out-of-range values with a message naming the flag.
 */
public final class ChatOptions {

    /** Default WebSocket and HTTP port. */
    public static final int DEFAULT_PORT = 8080;
    /** Default time a drain waits for clients to answer the 1001 close, in milliseconds. */
    public static final long DEFAULT_DRAIN_TIMEOUT_MS = 4_000;
    /** Default messages kept per room. */
    public static final int DEFAULT_HISTORY_SIZE = 100;
    /** Default age after which a room's message is no longer kept, in milliseconds. */
    public static final long DEFAULT_HISTORY_TTL_MS = 300_000;

    @Option(names = "--port", defaultValue = "" + DEFAULT_PORT, paramLabel = "PORT",
            description = "WebSocket and HTTP port, bound on --host; 0 picks a free one (the READY line names it). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", defaultValue = "0.0.0.0", paramLabel = "ADDRESS",
            description = "Interface for WebSocket and HTTP. Default: ${DEFAULT-VALUE} (every interface).")
    String host;

    @Option(names = "--cluster-port", defaultValue = "" + HazelcastCluster.Builder.DEFAULT_PORT, paramLabel = "PORT",
            description = "This node's cluster (Hazelcast) port, bound on --cluster-host; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int clusterPort;

    @Option(names = "--cluster-host", defaultValue = HazelcastCluster.Builder.DEFAULT_BIND_ADDRESS, paramLabel = "ADDRESS",
            description = "Interface for the cluster port. The open-source cluster transport has no authentication:"
                    + " binding anything but loopback is an explicit choice. Default: ${DEFAULT-VALUE}.")
    String clusterHost;

    @Option(names = "--members", split = ",", paramLabel = "HOST:PORT",
            description = "Seed addresses of the cluster, comma-separated (TCP/IP join, no multicast). Absent: a one-node"
                    + " cluster. A node does not wait for every seed: the first one up forms the cluster.")
    List<String> members = new ArrayList<>();

    @Option(names = "--cluster-name", paramLabel = "NAME",
            description = "Nodes join only a cluster of the same name. Required with --members; a lone node without it"
                    + " makes up a random one (logged), so no guessable shared name is ever used.")
    String clusterName;

    @Option(names = "--cluster-secret", paramLabel = "SECRET",
            description = "Shared by every node (at least " + HazelcastCluster.Builder.MIN_SECRET_BYTES + " bytes): nodes route"
                    + " only messages and trust only records authenticated with it. Required when --cluster-host is not a"
                    + " loopback address. Prefer --cluster-secret-file: a command line is visible to other local users.")
    String clusterSecret;

    @Option(names = "--cluster-secret-file", paramLabel = "PATH",
            description = "Reads the cluster secret from a file (surrounding whitespace and line breaks are dropped).")
    Path clusterSecretFile;

    private String secret; // from --cluster-secret or --cluster-secret-file, set by validate

    @Option(names = "--max-message-bytes", defaultValue = "65536", paramLabel = "BYTES",
            description = "Largest message a client may send, in bytes of UTF-8 after reassembly; larger closes with 1009."
                    + " Default: ${DEFAULT-VALUE}.")
    int maxMessageBytes;

    @Option(names = "--rate-limit", defaultValue = "200", paramLabel = "N",
            description = "Per-connection token bucket refill, in send/direct frames per second; 0 turns the limit off."
                    + " Default: ${DEFAULT-VALUE}.")
    double rateLimit;

    @Option(names = "--rate-burst", defaultValue = "600", paramLabel = "N",
            description = "Per-connection token bucket size; a new connection starts with a full bucket. Default: ${DEFAULT-VALUE}.")
    int rateBurst;

    @Option(names = "--failure-timeout-ms", defaultValue = "10000", paramLabel = "MS",
            description = "Bound for dropping a dead node's sessions from every other node (detection and cleanup"
                    + " together); at least 2000. Default: ${DEFAULT-VALUE}.")
    long failureTimeoutMs;

    @Option(names = "--drain-timeout-ms", defaultValue = "" + DEFAULT_DRAIN_TIMEOUT_MS, paramLabel = "MS",
            description = "On SIGTERM, how long to wait for clients to answer the 1001 close before deregistering them"
                    + " anyway; the whole drain stays under 10 s with the default. Default: ${DEFAULT-VALUE}.")
    long drainTimeoutMs;

    @Option(names = "--max-connections", defaultValue = "" + WsServer.DEFAULT_MAX_CONNECTIONS, paramLabel = "N",
            description = "Most WebSocket connections this node holds; further handshakes get 503. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--max-connections-per-address", defaultValue = "" + AdmissionSettings.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
            paramLabel = "N", description = "Most connections one client address holds on this node, handshakes in progress"
                    + " included; further handshakes get 503 with Retry-After. 0: no bound per address. Default: ${DEFAULT-VALUE}.")
    int maxConnectionsPerAddress;

    @Option(names = "--handshake-timeout-ms", defaultValue = "10000", paramLabel = "MS",
            description = "A connection that has not completed its handshake this long after it was accepted is closed"
                    + " (slow or silent clients). Default: ${DEFAULT-VALUE}.")
    long handshakeTimeoutMs;

    @Option(names = "--silence-timeout-ms", defaultValue = "0", paramLabel = "MS",
            description = "Idle timeout: closes a connection whose client has sent nothing (no frame, no ping) for this long, with close"
                    + " code 1000; what the node sends does not count. 0: never. Default: ${DEFAULT-VALUE}.")
    long silenceTimeoutMs;

    @Option(names = "--trusted-proxies", split = ",", paramLabel = "ADDRESS",
            description = "IP addresses of load balancers whose X-Forwarded-For header names the client for"
                    + " --max-connections-per-address, comma-separated. Absent: the header is ignored.")
    List<String> trustedProxies = new ArrayList<>();

    @Option(names = "--max-queued-messages", defaultValue = "" + WsServer.DEFAULT_MAX_QUEUED_MESSAGES, paramLabel = "N",
            description = "Bound of each connection's outbound queue, in messages. Default: ${DEFAULT-VALUE}.")
    int maxQueuedMessages;

    @Option(names = "--max-queued-bytes", defaultValue = "" + WsServer.DEFAULT_MAX_QUEUED_BYTES, paramLabel = "BYTES",
            description = "Bound of each connection's outbound queue, in payload bytes. Default: ${DEFAULT-VALUE}.")
    long maxQueuedBytes;

    @Option(names = "--socket-send-buffer", defaultValue = "" + WsServer.DEFAULT_SOCKET_SEND_BUFFER_BYTES, paramLabel = "BYTES",
            description = "Kernel send buffer (SO_SNDBUF) of each WebSocket connection; 0 leaves it to the system, which lets a"
                    + " non-reading client hold up to net.ipv4.tcp_wmem's maximum before its queue fills. Default: ${DEFAULT-VALUE}.")
    int socketSendBuffer;

    @Option(names = "--overflow-policy", defaultValue = "CLOSE", paramLabel = "POLICY",
            description = "What happens to a connection whose outbound queue is full (a slow consumer): ${COMPLETION-CANDIDATES}."
                    + " CLOSE closes it with 1013. Default: ${DEFAULT-VALUE}.")
    OverflowPolicy overflowPolicy;

    @Option(names = "--history-size", defaultValue = "" + DEFAULT_HISTORY_SIZE, paramLabel = "N",
            description = "Messages each room keeps so that a client can resume on any node (join with since or last);"
                    + " 0 turns history off: frames carry no offset or epoch, and nothing is replayed. At most "
                    + HistorySettings.MAX_SIZE + ". Default: ${DEFAULT-VALUE}.")
    int historySize;

    @Option(names = "--history-ttl-ms", defaultValue = "" + DEFAULT_HISTORY_TTL_MS, paramLabel = "MS",
            description = "A message older than this is no longer kept in its room's history. Default: ${DEFAULT-VALUE}.")
    long historyTtlMs;

    // a label of 6 letters would widen --help's option column for every flag: KEY keeps the layout
    @Option(names = "--auth-secret", paramLabel = "KEY",
            description = "Require a JWT on every handshake (access_token query parameter or Authorization: Bearer),"
                    + " HS256-signed with KEY (the shared secret); the user is its sub, and ?user=, if given, must equal it."
                    + " Prefer --auth-secret-file: a command line is visible to other local users. Absent (with"
                    + " --auth-secret-file too): demo mode, the user is whatever ?user= says.")
    String authSecret;

    @Option(names = "--auth-secret-file", paramLabel = "PATH",
            description = "Like --auth-secret, the secret read from a file (UTF-8; one trailing line break is ignored).")
    Path authSecretFile;

    @Option(names = "--auth-audience", paramLabel = "AUDIENCE",
            description = "With a secret: the token's aud claim must contain AUDIENCE. Default: aud not checked.")
    String authAudience;

    @Option(names = "--allowed-origins", split = ",", paramLabel = "ORIGIN",
            description = "Origins browsers may connect from, comma-separated, exact match (e.g. https://chat.example; null"
                    + " allows 'Origin: null'); a handshake with another Origin gets 403, one without Origin is allowed."
                    + " Default: any origin.")
    List<String> allowedOrigins = new ArrayList<>();

    private byte[] resolvedSecret;

    /**
     * Parses and validates a command line, as {@code java -jar wscluster-chat.jar} would.
     *
     * @param args the arguments
     * @return the options
     * @throws CommandLine.ParameterException if an argument is unknown, malformed or out of range
     */
    public static ChatOptions parse(String... args) {
        ChatOptions options = new ChatOptions();
        CommandLine commandLine = new CommandLine(options);
        commandLine.parseArgs(args);
        options.validate(commandLine);
        return options;
    }

    void validate(CommandLine commandLine) {
        check(commandLine, port >= 0 && port <= 65_535, "--port must be 0..65535 but was " + port);
        check(commandLine, clusterPort >= 0 && clusterPort <= 65_535, "--cluster-port must be 0..65535 but was " + clusterPort);
        check(commandLine, maxMessageBytes >= 1, "--max-message-bytes must be >= 1 but was " + maxMessageBytes);
        check(commandLine, rateLimit >= 0 && Double.isFinite(rateLimit), "--rate-limit must be >= 0 but was " + rateLimit);
        check(commandLine, rateBurst >= 1, "--rate-burst must be >= 1 but was " + rateBurst);
        check(commandLine, failureTimeoutMs >= HazelcastCluster.Builder.MIN_FAILURE_TIMEOUT.toMillis(),
                "--failure-timeout-ms must be >= " + HazelcastCluster.Builder.MIN_FAILURE_TIMEOUT.toMillis() + " but was " + failureTimeoutMs);
        check(commandLine, drainTimeoutMs >= 1, "--drain-timeout-ms must be >= 1 but was " + drainTimeoutMs);
        check(commandLine, maxConnections >= 1, "--max-connections must be >= 1 but was " + maxConnections);
        check(commandLine, maxConnectionsPerAddress >= 0,
                "--max-connections-per-address must be >= 0 but was " + maxConnectionsPerAddress);
        check(commandLine, handshakeTimeoutMs >= 1, "--handshake-timeout-ms must be >= 1 but was " + handshakeTimeoutMs);
        check(commandLine, silenceTimeoutMs >= 0, "--silence-timeout-ms must be >= 0 but was " + silenceTimeoutMs);
        for (String proxy : trustedProxies) {
            check(commandLine, proxy.matches("[0-9A-Fa-f.:\\[\\]]+"),
                    "--trusted-proxies must be IP addresses but one was '" + proxy + "'");
        }
        check(commandLine, maxQueuedMessages >= 1, "--max-queued-messages must be >= 1 but was " + maxQueuedMessages);
        check(commandLine, maxQueuedBytes >= 1, "--max-queued-bytes must be >= 1 but was " + maxQueuedBytes);
        check(commandLine, socketSendBuffer == 0 || socketSendBuffer >= 4_096,
                "--socket-send-buffer must be 0 (system default) or >= 4096 but was " + socketSendBuffer);
        check(commandLine, historySize >= 0 && historySize <= HistorySettings.MAX_SIZE,
                "--history-size must be 0.." + HistorySettings.MAX_SIZE + " but was " + historySize);
        check(commandLine, historyTtlMs >= 1, "--history-ttl-ms must be >= 1 but was " + historyTtlMs);
        for (String origin : allowedOrigins) {
            check(commandLine, "null".equals(origin) || origin.matches("[A-Za-z][A-Za-z0-9+.-]*://[^\\s/]+"),
                    "--allowed-origins must be scheme://host[:port] or null but one was '" + origin + "'");
        }
        check(commandLine, authSecret == null || authSecretFile == null,
                "--auth-secret and --auth-secret-file are both set: give one");
        check(commandLine, authAudience == null || authSecret != null || authSecretFile != null,
                "--auth-audience needs --auth-secret or --auth-secret-file");
        check(commandLine, authAudience == null || !authAudience.isEmpty(), "--auth-audience must not be empty");
        if (authSecret != null) {
            check(commandLine, !authSecret.isEmpty(), "--auth-secret must not be empty");
            resolvedSecret = authSecret.getBytes(StandardCharsets.UTF_8);
        }
        if (authSecretFile != null) {
            String text;
            try {
                text = Files.readString(authSecretFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(commandLine,
                        "--auth-secret-file cannot be read: '" + authSecretFile + "' (" + e + ")");
            }
            text = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                    : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            check(commandLine, !text.isEmpty(), "--auth-secret-file must not be empty but '" + authSecretFile + "' was");
            resolvedSecret = text.getBytes(StandardCharsets.UTF_8);
        }
        for (String member : members) {
            check(commandLine, member.matches("[^\\s:]+:\\d{1,5}"), "--members must be HOST:PORT addresses but one was '" + member + "'");
        }
        validateClusterAccess(commandLine);
    }

    /** Cluster name and secret (chat-protocol "Starting a node"): no guessable shared name, a secret off loopback. */
    private void validateClusterAccess(CommandLine commandLine) {
        if (clusterName == null) {
            check(commandLine, members.isEmpty(), "--cluster-name is required with --members: nodes join only a cluster of"
                    + " the same name, and a shared default would let anyone who guesses it join");
            clusterName = "chat-" + HexFormat.of().formatHex(randomBytes(8));
        }
        check(commandLine, !clusterName.isBlank(), "--cluster-name must not be blank");
        check(commandLine, clusterSecret == null || clusterSecretFile == null,
                "--cluster-secret and --cluster-secret-file cannot both be given");
        secret = clusterSecret;
        if (clusterSecretFile != null) {
            try {
                secret = Files.readString(clusterSecretFile, StandardCharsets.UTF_8).strip();
            } catch (IOException | RuntimeException e) {
                throw new CommandLine.ParameterException(commandLine, "--cluster-secret-file " + clusterSecretFile
                        + " cannot be read: " + e.getMessage());
            }
        }
        if (secret != null) {
            int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
            check(commandLine, bytes >= HazelcastCluster.Builder.MIN_SECRET_BYTES, (clusterSecretFile != null ? "the secret in --cluster-secret-file"
                    : "--cluster-secret") + " must be at least " + HazelcastCluster.Builder.MIN_SECRET_BYTES + " bytes but was " + bytes);
        }
        check(commandLine, secret != null || isLoopback(clusterHost), "--cluster-secret or --cluster-secret-file is"
                + " required when --cluster-host is not a loopback address (it was " + clusterHost + "): the open-source cluster"
                + " transport authenticates nobody, so the nodes authenticate each other's messages with the secret");
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static void check(CommandLine commandLine, boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(commandLine, message);
        }
    }

    /** @return the WebSocket and HTTP port (0: a free one) */
    public int port() {
        return port;
    }

    /** @return the token secret from --auth-secret or --auth-secret-file (after {@code validate}), or null: demo mode */
    byte[] authSecret() {
        return resolvedSecret == null ? null : resolvedSecret.clone();
    }

    /** @return the cluster secret from {@code --cluster-secret} or {@code --cluster-secret-file}, or null for none */
    String clusterSecret() {
        return secret;
    }

    /** @return the largest accepted client message, in UTF-8 bytes */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }
}
