package io.wscluster.tyrus;

import io.wscluster.Names;
import jakarta.websocket.server.HandshakeRequest;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the user of a new session from its handshake. The result is registered with the session in
 * the cluster, so that {@code Target.user(...)} reaches it and presence counts it.
 *
 * <p>Return null for an anonymous session. Throw {@link HandshakeRejection} to refuse the
 * handshake. A returned name that is not a valid user name ({@link Names#isValidUser}) refuses the
 * handshake with 400.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface UserResolver {

    /**
     * Resolves the user.
     *
     * @param request the handshake request
     * @return the user name, or null for anonymous
     * @throws HandshakeRejection to refuse the handshake
     */
    String resolve(HandshakeRequest request);

    /** @return a resolver that makes every session anonymous */
    static UserResolver anonymous() {
        return request -> null;
    }

    /**
     * The user is the value of a query parameter, for example {@code ?user=alice}. Absent: anonymous.
     * Repeated: the handshake is refused with 400.
     *
     * @param name the query parameter
     * @return the resolver
     */
    static UserResolver queryParam(String name) {
        Objects.requireNonNull(name, "name");
        return request -> single(request.getParameterMap(), name, "query parameter");
    }

    /**
     * Like {@link #queryParam(String)} but the parameter is required: absent refuses with 400.
     *
     * @param name the query parameter
     * @return the resolver
     */
    static UserResolver requiredQueryParam(String name) {
        UserResolver optional = queryParam(name);
        return request -> {
            String user = optional.resolve(request);
            if (user == null) {
                throw HandshakeRejection.badRequest("query parameter '" + name + "' is missing");
            }
            return user;
        };
    }

    /**
     * The user is the value of a request header (case-insensitive name). Absent: anonymous.
     * Repeated: refused with 400. Only use behind a proxy that sets the header itself.
     *
     * @param name the header name
     * @return the resolver
     */
    static UserResolver header(String name) {
        Objects.requireNonNull(name, "name");
        return request -> {
            for (Map.Entry<String, List<String>> e : request.getHeaders().entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
                    return single(Map.of(name, e.getValue()), name, "header");
                }
            }
            return null;
        };
    }

    /**
     * The user is the name of the handshake's authenticated principal. None: anonymous.
     *
     * @return the resolver
     */
    static UserResolver principal() {
        return request -> {
            Principal p = request.getUserPrincipal();
            return p == null ? null : p.getName();
        };
    }

    private static String single(Map<String, List<String>> values, String name, String kind) {
        List<String> list = values.get(name);
        if (list == null || list.isEmpty()) {
            return null;
        }
        if (list.size() > 1) {
            throw HandshakeRejection.badRequest(kind + " '" + name + "' is repeated");
        }
        return list.get(0);
    }
}
