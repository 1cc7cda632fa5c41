package io.wscluster;

import java.util.Objects;

/**
 * Cluster-wide identity of one WebSocket session.
 *
 * <p>The id names its owning node: {@code <node>-<local>}, for example {@code k3v9x2qa-1f}. A send
 * to a session therefore needs no registry lookup: the owner is read from the id and the message
 * goes there in one hop.
 *
 * @param value the id text
 * @since 0.1.0
 */
public record SessionId(String value) {

    private static final char SEPARATOR = '-';

    /**
     * Creates a session id from its text form.
     *
     * @throws IllegalArgumentException if the text is not {@code <node>-<local>} with a valid node id
     *                                  and a local part of 1..32 characters of [a-z0-9]
     */
    public SessionId {
        Objects.requireNonNull(value, "value");
        int dash = value.indexOf(SEPARATOR);
        if (dash <= 0 || dash != value.lastIndexOf(SEPARATOR) || !validLocal(value, dash + 1)) {
            throw new IllegalArgumentException("session id " + Names.quote(value)
                    + " is invalid: it must be <node>-<local>, each 1..32 characters of [a-z0-9]");
        }
        new NodeId(value.substring(0, dash));
    }

    /**
     * Builds the id of the {@code sequence}-th session opened on {@code node}.
     *
     * @param node     the owning node
     * @param sequence a number unique on that node, &gt;= 0
     * @return the id
     */
    public static SessionId of(NodeId node, long sequence) {
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0 but was " + sequence);
        }
        return new SessionId(node.value() + SEPARATOR + Long.toString(sequence, 36));
    }

    /**
     * Parses the text form of a session id.
     *
     * @param text the text, as returned by {@link #value()}
     * @return the id
     * @throws IllegalArgumentException if the text is not a session id
     */
    public static SessionId parse(String text) {
        return new SessionId(text);
    }

    /**
     * The node that owns this session.
     *
     * @return the owner's id
     */
    public NodeId node() {
        return new NodeId(value.substring(0, value.indexOf(SEPARATOR)));
    }

    /**
     * Tells whether this session is owned by {@code node}, without allocating.
     *
     * @param node a node id
     * @return true if the id's node part equals it
     */
    public boolean isOwnedBy(NodeId node) {
        String n = node.value();
        return value.length() > n.length() && value.charAt(n.length()) == SEPARATOR && value.startsWith(n);
    }

    private static boolean validLocal(String value, int from) {
        int length = value.length() - from;
        if (length < 1 || length > 32) {
            return false;
        }
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return value;
    }
}
