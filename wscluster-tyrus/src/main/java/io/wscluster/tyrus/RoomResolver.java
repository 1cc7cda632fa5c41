package io.wscluster.tyrus;

import io.wscluster.Names;
import jakarta.websocket.server.HandshakeRequest;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds, from its handshake, the rooms a new session of a clustered endpoint joins before its
 * client has the 101: once the client is connected, a message sent to one of these rooms from any
 * node reaches it. (A room joined in {@code @OnOpen} counts only once that join completes; messages
 * sent to it in between are not delivered to the new session.)
 *
 * <p>Called after the {@link UserResolver}, on the handshake's thread. Throw
 * {@link HandshakeRejection} to refuse the handshake. A returned name that is not a valid room name
 * ({@link Names#isValidRoom}) refuses the handshake with 400.
 *
 * <pre>{@code
 * WsServer.builder()
 *         .roomResolver(RoomResolver.queryParams("room"))   // ws://host/chat?room=a&room=b
 * }</pre>
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface RoomResolver {

    /**
     * Resolves the rooms.
     *
     * @param request the handshake request
     * @return the room names, empty (or null) for none
     * @throws HandshakeRejection to refuse the handshake
     */
    Collection<String> resolve(HandshakeRequest request);

    /** @return a resolver that joins no room (the default) */
    static RoomResolver none() {
        return request -> Set.of();
    }

    /**
     * The rooms are the values of a query parameter, e.g. {@code ?room=a&room=b}; absent: none.
     *
     * @param name the query parameter
     * @return the resolver
     */
    static RoomResolver queryParams(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("query parameter name must be non-empty but was " + name);
        }
        return request -> {
            Map<String, List<String>> parameters = request.getParameterMap();
            List<String> values = parameters == null ? null : parameters.get(name);
            return values == null ? List.of() : values;
        };
    }
}
