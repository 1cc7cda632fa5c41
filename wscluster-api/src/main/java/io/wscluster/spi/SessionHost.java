package io.wscluster.spi;

import io.wscluster.SessionId;
import io.wscluster.SessionInfo;

import java.util.Map;

/**
 * A server's handle on its node: it registers the sessions whose sockets it holds.
 *
 * <p>Obtained from {@link io.wscluster.Cluster#attachServer}. Registration is synchronous: when
 * {@link #open} returns, every node sees the session.
 *
 * @since 0.1.0
 */
public interface SessionHost {

    /**
     * Registers a session that has just opened on this node.
     *
     * @param path       the endpoint path (template) it opened on
     * @param user       its user, or null for an anonymous session
     * @param attributes small string attributes to publish with it
     * @return the registered session, with a fresh id that names this node
     * @throws IllegalArgumentException if the user name is invalid
     */
    SessionInfo open(String path, String user, Map<String, String> attributes);

    /**
     * Draws a fresh id owned by this node for a session about to open, for containers that must
     * name a session before they register it (Tyrus's {@code ClusterContext.createSessionId()}).
     * Nothing is registered until {@link #open(SessionId, String, String, Map)}.
     *
     * @return an unregistered id owned by this node
     */
    SessionId newId();

    /**
     * Registers a session under an id drawn by {@link #newId()}.
     *
     * @param id         the id, from {@link #newId()}
     * @param path       the endpoint path (template) it opened on
     * @param user       its user, or null for an anonymous session
     * @param attributes small string attributes to publish with it
     * @return the registered session
     * @throws IllegalArgumentException if the id is not this node's, is already registered, or the user is invalid
     */
    SessionInfo open(SessionId id, String path, String user, Map<String, String> attributes);

    /**
     * Replaces a local session's attributes.
     *
     * @param session    a session registered through {@link #open}
     * @param attributes the new attributes
     * @return true if the session was open
     */
    boolean updateAttributes(SessionId session, Map<String, String> attributes);

    /**
     * Deregisters a session whose socket closed. Idempotent: the first call removes it, later calls
     * do nothing.
     *
     * @param session a session registered through {@link #open}
     * @return true if this call removed it
     */
    boolean closed(SessionId session);

    /** @return the number of sessions this server has registered and not yet closed */
    int openCount();
}
