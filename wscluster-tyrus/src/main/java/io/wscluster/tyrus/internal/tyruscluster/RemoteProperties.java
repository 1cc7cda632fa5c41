package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.Registry;
import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import org.glassfish.tyrus.core.cluster.RemoteSession.DistributedMapKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The distributed session properties of a session on another node, read-only, decoded from its
 * registered attributes ({@link PropertyCodec}).
 *
 * <p>Tyrus's {@code RemoteSession} keeps this map and reads it on every getter call. The values
 * come from the registration seen in the session-opened event (or the registry query at deploy
 * time) and are re-read from the registry when a read finds them older than the refresh interval, so
 * a change the owner made later (an idle timeout set in {@code @OnOpen}) shows within about that
 * interval. Once the session is gone, the last values stay, so a getter on a stale
 * {@code RemoteSession} never fails.
 */
final class RemoteProperties extends AbstractMap<DistributedMapKey, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteProperties.class);

    private final SessionId id;
    private final String path;
    private final Registry registry;
    private final long refreshNanos;
    private volatile Map<DistributedMapKey, Object> values;
    private volatile long fetchedAt;

    RemoteProperties(SessionInfo info, Registry registry, long refreshNanos) {
        this.id = info.id();
        this.path = info.path();
        this.registry = registry;
        this.refreshNanos = refreshNanos;
        this.values = decode(info);
        this.fetchedAt = System.nanoTime();
    }

    /** @return the endpoint path the session opened on */
    String path() {
        return path;
    }

    /** @return the connection id the owner published (or the session id) */
    String connectionId() {
        Object c = values.get(DistributedMapKey.CONNECTION_ID);
        return c == null ? id.value() : c.toString();
    }

    @Override
    public Object get(Object key) {
        return current().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return current().containsKey(key);
    }

    @Override
    public Set<Entry<DistributedMapKey, Object>> entrySet() {
        return current().entrySet();
    }

    @Override
    public Object put(DistributedMapKey key, Object value) {
        throw new UnsupportedOperationException("The properties of remote session '" + id
                + "' are read-only: only the node that owns it writes them");
    }

    private Map<DistributedMapKey, Object> current() {
        if (System.nanoTime() - fetchedAt > refreshNanos) {
            refresh();
        }
        return values;
    }

    private void refresh() {
        fetchedAt = System.nanoTime();
        try {
            Optional<SessionInfo> info = registry.session(id);
            info.ifPresent(i -> values = decode(i));
        } catch (RuntimeException e) {
            LOG.debug("Could not refresh the properties of remote session {}: {}", id, e.toString());
        }
    }

    private static Map<DistributedMapKey, Object> decode(SessionInfo info) {
        EnumMap<DistributedMapKey, Object> decoded = PropertyCodec.decode(info.id().value(), info.attributes());
        return Collections.unmodifiableMap(decoded);
    }
}
