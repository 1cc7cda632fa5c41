package io.wscluster;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Identity of one node (one server process) in the cluster.
 *
 * <p>A node id is 1..32 characters of {@code [a-z0-9]}. A new id is drawn at random for every
 * process start, so that session ids of a crashed process never collide with those of its
 * successor.
 *
 * @param value the id text
 * @since 0.1.0
 */
public record NodeId(String value) implements Comparable<NodeId> {

    private static final Pattern FORMAT = Pattern.compile("[a-z0-9]{1,32}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int RANDOM_LENGTH = 8;

    /**
     * Creates a node id.
     *
     * @throws IllegalArgumentException if {@code value} is not 1..32 characters of [a-z0-9]
     */
    public NodeId {
        Objects.requireNonNull(value, "value");
        if (!FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "node id " + Names.quote(value) + " is invalid: it must be 1..32 characters of [a-z0-9]");
        }
    }

    /**
     * Draws a fresh random node id of 8 base-36 characters.
     *
     * @return a new id
     */
    public static NodeId random() {
        StringBuilder id = new StringBuilder(RANDOM_LENGTH);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            id.append(Character.forDigit(RANDOM.nextInt(36), 36));
        }
        return new NodeId(id.toString());
    }

    @Override
    public int compareTo(NodeId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
