package io.wscluster.tyrus.internal.tyruscluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tyrus's "distributed user properties", kept on this node only, with connection ids a client
 * cannot claim.
 *
 * <p>Design notes. The wscluster API has no home for arbitrary objects shared between nodes (a
 * session's attributes are small strings), so each node keeps its own map per connection id: the
 * map of a local session holds what Tyrus and the application put into it here; on another node,
 * {@code RemoteSession.getDistributedProperties()} returns that node's own (initially empty) map for
 * the connection.
 *
 * <p>Tyrus takes the connection id from the client's {@code tyrus-cluster-connection-id} header when
 * one is sent, and only asks us to mint one when none is. A header would let a client claim another
 * connection's map, so a map is bound to a connection id only if this node minted that id
 * ({@link #mint}) and no session has bound it yet. A session that arrives with any other id gets a
 * fresh private map, reachable by no connection id, and publishes a fresh connection id in its
 * place. So resuming a connection's properties after a reconnect is not supported; maps live as long
 * as their session and are dropped when it closes, whatever Tyrus's
 * {@code destroyDistributedUserProperties} is told.
 */
final class UserProperties {

    private static final Logger LOG = LoggerFactory.getLogger(UserProperties.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConcurrentMap<String, Long> minted = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Map<String, Object>> maps = new ConcurrentHashMap<>();
    private final AtomicBoolean warnedClaim = new AtomicBoolean();

    /** @return a fresh connection id, 128 random bits in hex, that one local session may bind */
    String mint() {
        String id = fresh();
        minted.put(id, System.nanoTime());
        return id;
    }

    /**
     * The map of a local session being created with a connection id.
     *
     * @param sessionId    the session
     * @param connectionId the id Tyrus gave it (minted here, or taken from the client's header)
     * @param binding      receives the key the map is bound under (null if private) and the
     *                     connection id to publish instead of Tyrus's (null to keep it)
     * @return the map
     */
    Map<String, Object> forNewSession(String sessionId, String connectionId, Binding binding) {
        if (connectionId != null && minted.remove(connectionId) != null) {
            Map<String, Object> map = newMap();
            maps.put(connectionId, map);
            binding.bound(connectionId, null);
            return map;
        }
        if (warnedClaim.compareAndSet(false, true)) {
            LOG.warn("Session {} came with a tyrus-cluster-connection-id header that is not an unused id minted by"
                    + " this node; it gets fresh user properties (further cases are logged at debug)", sessionId);
        } else {
            LOG.debug("Session {} came with a tyrus-cluster-connection-id header that is not an unused id minted by"
                    + " this node; ignored", sessionId);
        }
        binding.bound(null, fresh());
        return newMap();
    }

    /**
     * This node's map for a connection id (a remote session's, or any other caller's).
     *
     * @param connectionId the id
     * @return the map, created empty if there was none
     */
    Map<String, Object> forConnection(String connectionId) {
        if (connectionId == null) {
            return newMap();
        }
        return maps.computeIfAbsent(connectionId, k -> newMap());
    }

    /** @param key a key from {@link Binding#bound}, or null; drops its map */
    void drop(String key) {
        if (key != null) {
            maps.remove(key);
        }
    }

    /** Forgets minted ids that no session bound within {@code maxAgeNanos}. */
    void expire(long maxAgeNanos) {
        long now = System.nanoTime();
        minted.values().removeIf(at -> now - at > maxAgeNanos);
    }

    /** Drops everything. */
    void clear() {
        minted.clear();
        maps.clear();
    }

    /** @return the number of maps held */
    int size() {
        return maps.size();
    }

    private static Map<String, Object> newMap() {
        // Tyrus copies handshake user properties in, and those may hold null values
        return Collections.synchronizedMap(new HashMap<>());
    }

    private static String fresh() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Receives how a new session's map was bound. */
    @FunctionalInterface
    interface Binding {
        /**
         * @param key                  the connection id the map is bound under, or null for a private map
         * @param connectionIdOverride the connection id to publish instead of Tyrus's, or null
         */
        void bound(String key, String connectionIdOverride);
    }
}
