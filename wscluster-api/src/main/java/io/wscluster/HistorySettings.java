package io.wscluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which rooms keep a history, how much of it, and how its messages are stamped with their position.
 *
 * <p>Rules match room names by a pattern in which {@code *} stands for any run of characters
 * ({@code "chat:*"}, {@code "*"}, or an exact name); the first rule that matches decides. A room that
 * matches no rule keeps no history: its messages take today's one-hop route and cost nothing extra.
 * A history room keeps at most {@link Rule#size()} messages, none older than {@link Rule#ttl()}; its
 * messages are numbered in one order for the whole cluster, and every member receives them in that
 * order.
 *
 * <pre>{@code
 * HistorySettings history = HistorySettings.builder()
 *         .keep("*", 100, Duration.ofMinutes(5))
 *         .stamp((room, position, message) -> Message.text(withOffset(message.text(), position)))
 *         .build();
 * }</pre>
 *
 * <p>Every node of a cluster must use the same rules. Immutable.
 *
 * @since 0.2.0
 */
public final class HistorySettings {

    /** Most messages one rule may keep per room. */
    public static final int MAX_SIZE = 100_000;

    private static final HistorySettings NONE = new HistorySettings(List.of(), Stamp.IDENTITY);

    private final List<Rule> rules;
    private final Stamp stamp;

    private HistorySettings(List<Rule> rules, Stamp stamp) {
        this.rules = List.copyOf(rules);
        this.stamp = stamp;
    }

    /** @return settings under which no room keeps history (the default) */
    public static HistorySettings none() {
        return NONE;
    }

    /** @return a builder with no rules and the identity stamp */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The rule for a room.
     *
     * @param room a room name
     * @return the first rule whose pattern matches, or empty if the room keeps no history
     */
    public Optional<Rule> ruleFor(String room) {
        for (Rule rule : rules) {
            if (rule.matches(room)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    /** @return true if any room keeps history */
    public boolean enabled() {
        return !rules.isEmpty();
    }

    /** @return the rules, in the order they are tried */
    public List<Rule> rules() {
        return rules;
    }

    /** @return how delivered and replayed messages of history rooms carry their position */
    public Stamp stamp() {
        return stamp;
    }

    @Override
    public String toString() {
        return "HistorySettings" + rules;
    }

    /**
     * Renders a history room's message with its position, once per node and message (not per
     * receiver). The cluster stores and routes messages unstamped and calls the stamp on the node that
     * writes them to sockets, for live and replayed messages alike. It must be a pure function, the
     * same on every node, and fast: it runs on the cluster's delivery threads.
     */
    @FunctionalInterface
    public interface Stamp {

        /** Leaves messages as they were sent. */
        Stamp IDENTITY = (room, position, message) -> message;

        /**
         * Renders a message with its position.
         *
         * @param room     the room
         * @param position the message's offset and epoch
         * @param message  the message as sent
         * @return the message to write to the room's members
         */
        Message stamp(String room, Position position, Message message);
    }

    /**
     * One rule: rooms whose name matches {@code pattern} keep up to {@code size} messages for up to
     * {@code ttl}.
     *
     * @param pattern room names, {@code *} standing for any run of characters
     * @param size    messages kept per room, 1..{@value HistorySettings#MAX_SIZE}
     * @param ttl     how long a message is kept, positive; a room whose latest message is older than
     *                this starts a new epoch with its next message
     */
    public record Rule(String pattern, int size, Duration ttl) {

        /**
         * Creates a rule.
         *
         * @throws IllegalArgumentException naming the field and the value if one is out of range
         */
        public Rule {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(ttl, "ttl");
            if (pattern.isEmpty() || !Names.isValidRoom(pattern.replace("*", "a"))) {
                throw new IllegalArgumentException("pattern must be a room name in which * stands for any run of characters"
                        + " but was " + Names.quote(pattern));
            }
            if (size < 1 || size > MAX_SIZE) {
                throw new IllegalArgumentException("size must be 1.." + MAX_SIZE + " but was " + size);
            }
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("ttl must be > 0 but was " + ttl);
            }
        }

        /**
         * Tells whether this rule covers a room.
         *
         * @param room a room name
         * @return true if the pattern matches the whole name
         */
        public boolean matches(String room) {
            // Glob with '*' only, matched greedily with backtracking to the last star: no regex per call.
            int p = 0;
            int r = 0;
            int star = -1;
            int mark = 0;
            while (r < room.length()) {
                if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == room.charAt(r)) {
                    p++;
                    r++;
                } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                    star = p++;
                    mark = r;
                } else if (star >= 0) {
                    p = star + 1;
                    r = ++mark;
                } else {
                    return false;
                }
            }
            while (p < pattern.length() && pattern.charAt(p) == '*') {
                p++;
            }
            return p == pattern.length();
        }
    }

    /** Builds {@link HistorySettings}; each setter validates at once. */
    public static final class Builder {

        private final List<Rule> rules = new ArrayList<>();
        private Stamp stamp = Stamp.IDENTITY;

        private Builder() {
        }

        /**
         * Adds a rule, tried after the ones added before it.
         *
         * @param pattern room names, {@code *} standing for any run of characters
         * @param size    messages kept per room
         * @param ttl     how long a message is kept
         * @return this builder
         * @throws IllegalArgumentException if a value is out of range
         * @throws IllegalStateException    if a rule with the same pattern was added already
         */
        public Builder keep(String pattern, int size, Duration ttl) {
            Rule rule = new Rule(pattern, size, ttl);
            for (Rule r : rules) {
                if (r.pattern().equals(pattern)) {
                    throw new IllegalStateException("a history rule for pattern '" + pattern + "' was added already");
                }
            }
            rules.add(rule);
            return this;
        }

        /**
         * Sets how messages carry their position.
         *
         * @param stamp a pure, fast function
         * @return this builder
         */
        public Builder stamp(Stamp stamp) {
            this.stamp = Objects.requireNonNull(stamp, "stamp");
            return this;
        }

        /** @return the settings */
        public HistorySettings build() {
            return rules.isEmpty() && stamp == Stamp.IDENTITY ? NONE : new HistorySettings(rules, stamp);
        }
    }
}
