package io.wscluster.tyrus;

import io.wscluster.tyrus.internal.ClientAddresses;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which handshakes a server admits, decided before the upgrade: a cap on the connections one node holds
 * (past it, 503 with {@code Retry-After}) and the origins browsers may connect from (others, 403; by
 * default every origin may connect: set {@link Builder#allowedOrigins allowed origins} for browser
 * clients); and the bounds that keep a node serving while hostile clients hold sockets: the handshake
 * timeout, the per-address bound (with the proxies whose forwarded-for header is trusted) and the
 * file-descriptor reserve.
 *
 * <pre>{@code
 * AdmissionSettings admission = AdmissionSettings.builder()
 *         .maxConnections(20_000)
 *         .allowedOrigins("https://chat.example.com")
 *         .build();
 * WsServer.builder().admission(admission);   // or the same setters on WsServerBuilder
 * }</pre>
 *
 * <p>Immutable. Each setter of its {@link Builder} validates its argument at once.
 *
 * @since 0.2.0
 */
public final class AdmissionSettings {

    /** Default cap on upgraded connections per node: 10,000; past it handshakes get 503. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Default {@code Retry-After} of a 503 refusal: 5 seconds. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

    /** Default handshake timeout: 10 seconds from accept to the 101 (or the next request head). */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Default bound per client address: none (0); the node-wide cap still applies. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 0;
    /** Default header naming the client behind a trusted proxy. */
    public static final String DEFAULT_FORWARDED_FOR_HEADER = "X-Forwarded-For";
    /** Default file descriptors kept free for everything but client sockets: 256. */
    public static final int DEFAULT_FILE_DESCRIPTOR_RESERVE = 256;

    private static final AdmissionSettings DEFAULTS = new Builder().build();

    private final int maxConnections;
    private final Duration retryAfter;
    private final Set<String> allowedOrigins;
    private final Duration handshakeTimeout;
    private final int maxConnectionsPerAddress;
    private final List<String> trustedProxies;
    private final String forwardedForHeader;
    private final int fileDescriptorReserve;
    private final int maxSockets;

    private AdmissionSettings(Builder b) {
        this.maxConnections = b.maxConnections;
        this.retryAfter = b.retryAfter;
        this.allowedOrigins = Set.copyOf(b.allowedOrigins);
        this.handshakeTimeout = b.handshakeTimeout;
        this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        this.trustedProxies = List.copyOf(b.trustedProxies);
        this.forwardedForHeader = b.forwardedForHeader;
        this.fileDescriptorReserve = b.fileDescriptorReserve;
        this.maxSockets = b.maxSockets;
    }

    /**
     * @return the defaults: {@value #DEFAULT_MAX_CONNECTIONS} connections, 5 s {@code Retry-After}, any origin,
     *         10 s handshake timeout, no bound per address, no trusted proxy, 256 file descriptors reserved
     */
    public static AdmissionSettings ofDefaults() {
        return DEFAULTS;
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these settings */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxConnections = maxConnections;
        b.retryAfter = retryAfter;
        b.allowedOrigins.addAll(allowedOrigins);
        b.handshakeTimeout = handshakeTimeout;
        b.maxConnectionsPerAddress = maxConnectionsPerAddress;
        b.trustedProxies.addAll(trustedProxies);
        b.forwardedForHeader = forwardedForHeader;
        b.fileDescriptorReserve = fileDescriptorReserve;
        b.maxSockets = maxSockets;
        return b;
    }

    /** @return the most upgraded connections one node holds */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return the {@code Retry-After} of a 503 refusal */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** @return the allowed origins, lower-cased; empty means any origin */
    public Set<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** @return how long a connection may take from accept to the end of its handshake */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** @return the most connections one client address holds, handshakes in progress included; 0 for no bound */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /** @return the proxy addresses whose forwarded-for header names the client; empty: trust none */
    public List<String> trustedProxies() {
        return trustedProxies;
    }

    /** @return the header that names the client behind a trusted proxy */
    public String forwardedForHeader() {
        return forwardedForHeader;
    }

    /** @return the file descriptors left free below the process's limit when the socket bound is derived */
    public int fileDescriptorReserve() {
        return fileDescriptorReserve;
    }

    /** @return the most sockets the server keeps open at once; 0: the file-descriptor limit minus the reserve */
    public int maxSockets() {
        return maxSockets;
    }

    @Override
    public String toString() {
        return "AdmissionSettings{maxConnections=" + maxConnections + ", retryAfter=" + retryAfter
                + ", allowedOrigins=" + (allowedOrigins.isEmpty() ? "any" : allowedOrigins)
                + ", handshakeTimeout=" + handshakeTimeout + ", maxConnectionsPerAddress="
                + (maxConnectionsPerAddress == 0 ? "none" : maxConnectionsPerAddress)
                + ", trustedProxies=" + trustedProxies + ", forwardedForHeader=" + forwardedForHeader
                + ", fileDescriptorReserve=" + fileDescriptorReserve
                + ", maxSockets=" + (maxSockets == 0 ? "derived" : maxSockets) + '}';
    }

    /**
     * Builds {@link AdmissionSettings}; each setter validates at once ({@link IllegalArgumentException}
     * naming the field and the value).
     *
     * @since 0.2.0
     */
    public static final class Builder {

        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Duration retryAfter = DEFAULT_RETRY_AFTER;
        private final Set<String> allowedOrigins = new LinkedHashSet<>();
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
        private final Set<String> trustedProxies = new LinkedHashSet<>();
        private String forwardedForHeader = DEFAULT_FORWARDED_FOR_HEADER;
        private int fileDescriptorReserve = DEFAULT_FILE_DESCRIPTOR_RESERVE;
        private int maxSockets;

        private Builder() {
        }

        /**
         * How long a connection may take from accept to the end of its WebSocket handshake (the 101),
         * default 10 s; one that has not completed it by then is closed (slow or silent handshakes).
         * A plain HTTP connection ({@code /health}, static files) must send each request head within
         * this time of the previous one.
         *
         * @param timeout &gt; 0
         * @return this builder
         */
        public Builder handshakeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "handshakeTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be > 0 but was " + timeout);
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * The most connections one client address may hold on this node, handshakes in progress
         * included (default 0: no bound per address). Further handshakes from that address get 503
         * with {@code Retry-After}. The address is the socket's peer, or, for a peer listed in
         * {@link #trustedProxies}, the client its forwarded-for header names.
         *
         * @param max &gt;= 0; 0 for no bound
         * @return this builder
         */
        public Builder maxConnectionsPerAddress(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxConnectionsPerAddress must be >= 0 but was " + max);
            }
            this.maxConnectionsPerAddress = max;
            return this;
        }

        /**
         * Proxies (load balancers) whose forwarded-for header is believed, added to those given before:
         * IP address literals, no host names. For a handshake from one of them the client address is the
         * right-most address of the header that is not itself a trusted proxy. Default: none; the header
         * is ignored, as any client can send it.
         *
         * @param addresses IP address literals, e.g. {@code 10.0.0.5} or {@code ::1}
         * @return this builder
         */
        public Builder trustedProxies(String... addresses) {
            for (String address : addresses) {
                Objects.requireNonNull(address, "address");
                trustedProxies.add(ClientAddresses.canonical(address)
                        .orElseThrow(() -> new IllegalArgumentException(
                                "trusted proxy must be an IP address literal but was '" + address + "'")));
            }
            return this;
        }

        /**
         * The header a trusted proxy names the client in (default {@value AdmissionSettings#DEFAULT_FORWARDED_FOR_HEADER}):
         * a comma-separated list of addresses, the client first, each proxy appending its peer.
         *
         * @param header a header name
         * @return this builder
         */
        public Builder forwardedForHeader(String header) {
            Objects.requireNonNull(header, "forwardedForHeader");
            if (!header.matches("[A-Za-z0-9-]+")) {
                throw new IllegalArgumentException("forwardedForHeader must be a header name but was '" + header + "'");
            }
            this.forwardedForHeader = header;
            return this;
        }

        /**
         * File descriptors kept free below the process's limit ({@code ulimit -n}) for everything that
         * is not a client socket: the JVM's own files, the cluster's connections, log files (default
         * {@value AdmissionSettings#DEFAULT_FILE_DESCRIPTOR_RESERVE}). The server keeps at most
         * limit minus reserve client sockets open; see {@link #maxSockets}.
         *
         * @param reserve &gt;= 0
         * @return this builder
         */
        public Builder fileDescriptorReserve(int reserve) {
            if (reserve < 0) {
                throw new IllegalArgumentException("fileDescriptorReserve must be >= 0 but was " + reserve);
            }
            this.fileDescriptorReserve = reserve;
            return this;
        }

        /**
         * The most client sockets (WebSocket, handshakes in progress, plain HTTP) the server keeps open
         * at once (default 0: the file-descriptor limit minus {@link #fileDescriptorReserve}, or no bound
         * where the limit cannot be read). A socket accepted beyond it makes room by closing the oldest
         * connection that has not completed a handshake, or is closed itself if there is none.
         *
         * @param max &gt;= 0; 0 to derive it from the file-descriptor limit
         * @return this builder
         */
        public Builder maxSockets(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxSockets must be >= 0 but was " + max);
            }
            this.maxSockets = max;
            return this;
        }

        /**
         * The most upgraded connections one node holds (default {@value AdmissionSettings#DEFAULT_MAX_CONNECTIONS});
         * further handshakes get 503 with {@code Retry-After} before the upgrade, existing ones are untouched.
         *
         * @param maxConnections &gt; 0
         * @return this builder
         */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections <= 0) {
                throw new IllegalArgumentException("maxConnections must be > 0 but was " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * The {@code Retry-After} of a 503 refusal (default 5 s), rounded down to seconds, at least 1.
         *
         * @param retryAfter the delay
         * @return this builder
         */
        public Builder retryAfter(Duration retryAfter) {
            Objects.requireNonNull(retryAfter, "retryAfter");
            if (retryAfter.isNegative() || retryAfter.isZero()) {
                throw new IllegalArgumentException("retryAfter must be > 0 but was " + retryAfter);
            }
            this.retryAfter = retryAfter;
            return this;
        }

        /**
         * Allows browser handshakes only from these origins, added to those given before; a handshake whose
         * {@code Origin} header is present and not in the list gets 403 before the upgrade. The match is
         * exact (ignoring case): {@code https://chat.example.com} does not allow
         * {@code https://chat.example.com:8443} or {@code http://chat.example.com}. {@code Origin: null}
         * (sent by sandboxed frames, {@code file:} pages and some redirects) is an origin like any other:
         * refused unless the list holds {@code "null"}. A handshake without an {@code Origin} header (a
         * client that is not a browser) is allowed: the check protects browser users from other sites'
         * pages, it does not authenticate anyone.
         *
         * <p>Default: no list, every origin allowed. A server whose sessions act on a browser's behalf
         * (cookies, a token the page keeps) should set one.
         *
         * @param origins the allowed origins, each {@code scheme://host[:port]} or {@code null}
         * @return this builder
         */
        public Builder allowedOrigins(String... origins) {
            for (String origin : origins) {
                Objects.requireNonNull(origin, "origin");
                if (!origin.contains("://") && !"null".equals(origin)) {
                    throw new IllegalArgumentException("origin must look like scheme://host[:port] but was '" + origin + "'");
                }
                allowedOrigins.add(origin.toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /** @return the settings */
        public AdmissionSettings build() {
            return new AdmissionSettings(this);
        }
    }
}
