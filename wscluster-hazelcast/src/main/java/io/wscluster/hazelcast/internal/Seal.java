package io.wscluster.hazelcast.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Authenticates what crosses the cluster port: every message a node sends to another node's inbox
 * or the event topic and every record it trusts for routing carries an HMAC-SHA256 tag made with
 * the cluster secret; whatever fails verification is dropped and counted, never handled.
 *
 * <p>Design notes. The open-source Hazelcast transport lets anyone who reaches the port join, read
 * and write; a seal cannot keep such a stranger from reading or deleting, but it keeps them from
 * making anything reach a client or from being trusted as a node. A sealed value is the plain
 * value followed by a 32-byte tag over a <em>binding</em> and the value: the binding names where
 * the value belongs (the inbox of one node, the event topic, a table), so a value captured in one
 * place does not verify in another. Records whose key is inside the value (sessions, nodes) are
 * additionally checked against the key they were read under by their table's codec. The key is
 * derived once from the secret (an HMAC of a fixed label), never per message; each thread reuses
 * its own {@link Mac}. Without a secret ({@link #OFF}) values pass through unchanged and nothing
 * is checked, which is the wire format of a cluster without a secret. A replay of a captured value
 * to the same place is not detected: a stranger able to capture traffic can read it anyway, since
 * the transport is not encrypted.
 */
final class Seal {

    private static final Logger LOG = LoggerFactory.getLogger(Seal.class);
    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] KEY_LABEL = "wscluster cluster key v1".getBytes(StandardCharsets.US_ASCII);
    /** Length of the tag appended to a sealed value. */
    static final int TAG_BYTES = 32;

    /** No secret: values pass unchanged and every value is trusted. */
    static final Seal OFF = new Seal(null);

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;
    private final LongAdder rejected = new LongAdder();
    private final AtomicBoolean warned = new AtomicBoolean();

    private Seal(SecretKeySpec key) {
        this.key = key;
        this.macs = key == null ? null : ThreadLocal.withInitial(() -> newMac(key));
    }

    /**
     * @param secret the cluster secret, or null for none
     * @return a seal keyed by the secret, or {@link #OFF}
     * @throws IllegalArgumentException if the secret is empty
     */
    static Seal of(byte[] secret) {
        if (secret == null) {
            return OFF;
        }
        if (secret.length == 0) {
            throw new IllegalArgumentException("clusterSecret must not be empty");
        }
        Mac derive = newMac(new SecretKeySpec(secret, ALGORITHM));
        return new Seal(new SecretKeySpec(derive.doFinal(KEY_LABEL), ALGORITHM));
    }

    /** @return true if values are sealed and checked */
    boolean isOn() {
        return key != null;
    }

    /** @return values that failed verification since the node started */
    long rejected() {
        return rejected.sum();
    }

    /**
     * @param binding where the value belongs
     * @param value   the plain value
     * @return the value followed by its tag, or the value itself without a secret
     */
    byte[] seal(String binding, byte[] value) {
        if (key == null) {
            return value;
        }
        byte[] sealed = Arrays.copyOf(value, value.length + TAG_BYTES);
        byte[] tag = tag(binding, value, value.length);
        System.arraycopy(tag, 0, sealed, value.length, TAG_BYTES);
        return sealed;
    }

    /**
     * Verifies a sealed value; a failure is counted and logged (at warn once, then at debug).
     *
     * @param binding where the value was read
     * @param sealed  what {@link #seal} made
     * @param node    the reading node, for the log
     * @return the plain value, or null if it does not verify
     */
    byte[] open(String binding, byte[] sealed, Object node) {
        if (key == null) {
            return sealed;
        }
        if (sealed != null && sealed.length >= TAG_BYTES) {
            int length = sealed.length - TAG_BYTES;
            byte[] expected = tag(binding, sealed, length);
            if (tagMatches(expected, sealed, length)) {
                return Arrays.copyOf(sealed, length);
            }
        }
        reject(binding, node, "its authentication tag does not match the cluster secret");
        return null;
    }

    /** Counts and logs a value that verified but does not belong where it was read. */
    void reject(String binding, Object node, String why) {
        rejected.increment();
        if (warned.compareAndSet(false, true)) {
            LOG.warn("node {} dropped a value read from {}: {}; a process without the cluster secret is writing to the"
                    + " cluster (further drops are logged at debug and counted in ClusterStats.messagesRejected)", node, binding, why);
        } else {
            LOG.debug("node {} dropped a value read from {}: {}", node, binding, why);
        }
    }

    /** Compares in constant time, as {@link java.security.MessageDigest#isEqual} does, without copying the tag. */
    private static boolean tagMatches(byte[] expected, byte[] sealed, int offset) {
        int difference = 0;
        for (int i = 0; i < TAG_BYTES; i++) {
            difference |= expected[i] ^ sealed[offset + i];
        }
        return difference == 0;
    }

    private byte[] tag(String binding, byte[] value, int length) {
        Mac mac = macs.get();
        byte[] name = binding.getBytes(StandardCharsets.UTF_8);
        mac.update((byte) (name.length >>> 24));
        mac.update((byte) (name.length >>> 16));
        mac.update((byte) (name.length >>> 8));
        mac.update((byte) name.length);
        mac.update(name);
        mac.update(value, 0, length);
        return mac.doFinal();
    }

    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no " + ALGORITHM, e);
        }
    }
}
