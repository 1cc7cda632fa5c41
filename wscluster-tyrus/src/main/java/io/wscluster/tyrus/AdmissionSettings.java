package io.wscluster.tyrus;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which handshakes a server admits, decided before the upgrade: a cap on the connections one node holds
 * (past it, 503 with {@code Retry-After}) and the origins browsers may connect from (others, 403). By
 * default every origin may connect: set {@link Builder#allowedOrigins allowed origins} for browser clients.
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

    private static final AdmissionSettings DEFAULTS = new Builder().build();

    private final int maxConnections;
    private final Duration retryAfter;
    private final Set<String> allowedOrigins;

    private AdmissionSettings(Builder b) {
        this.maxConnections = b.maxConnections;
        this.retryAfter = b.retryAfter;
        this.allowedOrigins = Set.copyOf(b.allowedOrigins);
    }

    /** @return the defaults: {@value #DEFAULT_MAX_CONNECTIONS} connections, 5 s {@code Retry-After}, any origin */
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

    @Override
    public String toString() {
        return "AdmissionSettings{maxConnections=" + maxConnections + ", retryAfter=" + retryAfter
                + ", allowedOrigins=" + (allowedOrigins.isEmpty() ? "any" : allowedOrigins) + '}';
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

        private Builder() {
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
