package io.wscluster.tyrus.internal.tyruscluster;

import org.glassfish.tyrus.core.cluster.RemoteSession.DistributedMapKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The distributed session properties of a local session, as Tyrus writes them: a map that, once
 * the session is registered, writes every change through to the registry as the session's
 * attributes ({@link PropertyCodec}).
 *
 * <p>Tyrus fills the map before it registers the session, so the first publication is the
 * registration itself ({@link #publishWith}), under this map's lock: a change racing with the
 * registration is either in it or published after it, never lost. Later changes replace the
 * attributes only when their encoding changed, each under the same lock, so they reach the registry
 * in the order they were made. Null values remove the key.
 */
final class LocalProperties extends AbstractMap<DistributedMapKey, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(LocalProperties.class);

    private final String sessionId;
    private final EnumMap<DistributedMapKey, Object> values = new EnumMap<>(DistributedMapKey.class);
    private String connectionIdOverride;
    private Predicate<Map<String, String>> sink;
    private Map<String, String> published;

    LocalProperties(String sessionId) {
        this.sessionId = sessionId;
    }

    @Override
    public synchronized Object get(Object key) {
        return values.get(key);
    }

    @Override
    public synchronized boolean containsKey(Object key) {
        return values.containsKey(key);
    }

    @Override
    public synchronized Object put(DistributedMapKey key, Object value) {
        Object old = value == null ? values.remove(key) : values.put(key, value);
        republish();
        return old;
    }

    @Override
    public synchronized Object remove(Object key) {
        Object old = values.remove(key);
        republish();
        return old;
    }

    @Override
    public synchronized void clear() {
        values.clear();
        republish();
    }

    @Override
    public synchronized int size() {
        return values.size();
    }

    /** @return a snapshot of the entries; changing it does not change the map */
    @Override
    public synchronized Set<Entry<DistributedMapKey, Object>> entrySet() {
        Set<Entry<DistributedMapKey, Object>> copy = new LinkedHashSet<>();
        for (Entry<DistributedMapKey, Object> e : values.entrySet()) {
            copy.add(new SimpleImmutableEntry<>(e));
        }
        return Collections.unmodifiableSet(copy);
    }

    /** @return the connection id Tyrus put into the map, or null */
    synchronized String connectionId() {
        Object id = values.get(DistributedMapKey.CONNECTION_ID);
        return id == null ? null : id.toString();
    }

    /** @param id the connection id to publish instead of Tyrus's (a client-chosen one we did not verify) */
    synchronized void overrideConnectionId(String id) {
        this.connectionIdOverride = id;
    }

    /** @return the value of USER_PRINCIPAL's name, or null */
    synchronized String principalName() {
        Object p = values.get(DistributedMapKey.USER_PRINCIPAL);
        return p instanceof java.security.Principal principal ? principal.getName() : null;
    }

    /**
     * Publishes the current properties through {@code register} and, from then on, every change
     * through {@code update}; both run under this map's lock.
     *
     * @param register registers the session with its first attributes
     * @param update   replaces the attributes; returns false when the session is no longer registered
     * @param <T>      what {@code register} returns
     * @return what {@code register} returned
     */
    synchronized <T> T publishWith(Function<Map<String, String>, T> register, Predicate<Map<String, String>> update) {
        Map<String, String> attributes = PropertyCodec.encode(values, connectionIdOverride);
        T result = register.apply(attributes);
        published = attributes;
        sink = update;
        return result;
    }

    /** Stops publishing changes (the session closed). */
    synchronized void stopPublishing() {
        sink = null;
    }

    private void republish() {
        if (sink == null) {
            return;
        }
        Map<String, String> attributes = PropertyCodec.encode(values, connectionIdOverride);
        if (attributes.equals(published)) {
            return;
        }
        try {
            if (sink.test(attributes)) {
                published = attributes;
            } else {
                LOG.debug("Session {} is no longer registered; its changed properties are not published", sessionId);
                sink = null;
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not publish the changed properties of session {}: {}", sessionId, e.toString());
        }
    }
}
