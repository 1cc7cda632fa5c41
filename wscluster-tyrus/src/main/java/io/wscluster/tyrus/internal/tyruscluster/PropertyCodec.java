package io.wscluster.tyrus.internal.tyruscluster;

import jakarta.websocket.Extension;
import org.glassfish.tyrus.core.TyrusExtension;
import org.glassfish.tyrus.core.cluster.RemoteSession.DistributedMapKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns Tyrus's distributed session properties ({@link DistributedMapKey} to typed value) into the
 * string attributes of a registered session, and back, with no Java serialization.
 *
 * <p>Each key is stored as attribute {@code "tyrus." + key} (for example {@code tyrus.requestURI}):
 * <ul>
 * <li>strings (subprotocol, query string, connection id) as they are;</li>
 * <li>{@code secure} as {@code true}/{@code false}; idle timeout and buffer sizes in decimal;</li>
 * <li>the request URI in its {@link URI#toString()} form;</li>
 * <li>the request parameter map and the path parameters in {@code application/x-www-form-urlencoded}
 * form, keeping order and repeated values ({@code k} alone stands for a key with no value);</li>
 * <li>extensions as {@code name;param=value,...}, every token form-encoded;</li>
 * <li>the principal by its name only: the decoded principal is a name-only {@link Principal}.</li>
 * </ul>
 * Decoding fills a missing or unreadable key with a neutral value (empty string, empty collection,
 * {@code false}, 0, the session id for the connection id, null for the URI and the principal), so that
 * a {@code RemoteSession}, which unboxes several of them, never fails on a session registered by a
 * server that did not write them.
 */
final class PropertyCodec {

    /** Prefix of every attribute written by this codec. */
    static final String PREFIX = "tyrus.";

    private static final Logger LOG = LoggerFactory.getLogger(PropertyCodec.class);

    private PropertyCodec() {
    }

    /**
     * The attribute name of a key.
     *
     * @param key a key
     * @return {@code "tyrus." + key}
     */
    static String attribute(DistributedMapKey key) {
        return PREFIX + key;
    }

    /**
     * Encodes properties into attributes, in key order.
     *
     * @param properties           the properties; null values are left out
     * @param connectionIdOverride the connection id to publish instead of the one in the map, or null
     * @return the attributes
     */
    static Map<String, String> encode(Map<DistributedMapKey, Object> properties, String connectionIdOverride) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (DistributedMapKey key : DistributedMapKey.values()) {
            Object value = key == DistributedMapKey.CONNECTION_ID && connectionIdOverride != null
                    ? connectionIdOverride : properties.get(key);
            if (value != null) {
                attributes.put(attribute(key), encode(key, value));
            }
        }
        return attributes;
    }

    /**
     * Encodes one value.
     *
     * @param key   its key
     * @param value the value, not null
     * @return the text
     */
    static String encode(DistributedMapKey key, Object value) {
        Objects.requireNonNull(value, "value");
        switch (key) {
            case SECURE:
                if (value instanceof Boolean b) {
                    return b.toString();
                }
                break;
            case MAX_IDLE_TIMEOUT:
            case MAX_BINARY_MESSAGE_BUFFER_SIZE:
            case MAX_TEXT_MESSAGE_BUFFER_SIZE:
                if (value instanceof Number n) {
                    return Long.toString(n.longValue());
                }
                break;
            case REQUEST_URI:
                if (value instanceof URI uri) {
                    return uri.toString();
                }
                break;
            case REQUEST_PARAMETER_MAP:
                if (value instanceof Map<?, ?> map) {
                    return encodeMultiMap(map);
                }
                break;
            case PATH_PARAMETERS:
                if (value instanceof Map<?, ?> map) {
                    return encodeMap(map);
                }
                break;
            case NEGOTIATED_EXTENSIONS:
                if (value instanceof List<?> list) {
                    return encodeExtensions(list);
                }
                break;
            case USER_PRINCIPAL:
                if (value instanceof Principal principal) {
                    return String.valueOf(principal.getName());
                }
                break;
            default:
                return value.toString();
        }
        LOG.debug("Tyrus property {} has an unexpected type {}; published as its string form", key,
                value.getClass().getName());
        return value.toString();
    }

    /**
     * Decodes attributes into properties, filling missing keys with neutral values.
     *
     * @param sessionId  the session id (the connection id when none was published)
     * @param attributes the attributes
     * @return a new mutable map with every key but those whose neutral value is null
     */
    static EnumMap<DistributedMapKey, Object> decode(String sessionId, Map<String, String> attributes) {
        EnumMap<DistributedMapKey, Object> properties = new EnumMap<>(DistributedMapKey.class);
        for (DistributedMapKey key : DistributedMapKey.values()) {
            String text = attributes.get(attribute(key));
            Object value = null;
            if (text != null) {
                try {
                    value = decode(key, text);
                } catch (RuntimeException e) {
                    LOG.debug("Tyrus property {} of session {} is unreadable ('{}'): {}", key, sessionId, text, e.toString());
                }
            }
            if (value == null) {
                value = neutral(key, sessionId);
            }
            if (value != null) {
                properties.put(key, value);
            }
        }
        return properties;
    }

    /**
     * Decodes one value.
     *
     * @param key  its key
     * @param text the encoded value
     * @return the value
     * @throws RuntimeException if the text is not a valid encoding
     */
    static Object decode(DistributedMapKey key, String text) {
        switch (key) {
            case SECURE:
                return Boolean.parseBoolean(text);
            case MAX_IDLE_TIMEOUT:
                return Long.parseLong(text);
            case MAX_BINARY_MESSAGE_BUFFER_SIZE:
            case MAX_TEXT_MESSAGE_BUFFER_SIZE:
                return Integer.parseInt(text);
            case REQUEST_URI:
                return URI.create(text);
            case REQUEST_PARAMETER_MAP:
                return decodeMultiMap(text);
            case PATH_PARAMETERS:
                return decodeMap(text);
            case NEGOTIATED_EXTENSIONS:
                return decodeExtensions(text);
            case USER_PRINCIPAL:
                return new NamedPrincipal(text);
            default:
                return text;
        }
    }

    private static Object neutral(DistributedMapKey key, String sessionId) {
        switch (key) {
            case NEGOTIATED_SUBPROTOCOL:
            case QUERY_STRING:
                return "";
            case NEGOTIATED_EXTENSIONS:
                return List.of();
            case SECURE:
                return Boolean.FALSE;
            case MAX_IDLE_TIMEOUT:
                return 0L;
            case MAX_BINARY_MESSAGE_BUFFER_SIZE:
            case MAX_TEXT_MESSAGE_BUFFER_SIZE:
                return 0;
            case REQUEST_PARAMETER_MAP:
            case PATH_PARAMETERS:
                return Map.of();
            case CONNECTION_ID:
                return sessionId;
            default:
                return null; // REQUEST_URI, USER_PRINCIPAL: absent
        }
    }

    // ---------------------------------------------------------------- forms

    private static String encodeMultiMap(Map<?, ?> map) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = form(String.valueOf(e.getKey()));
            if (!(e.getValue() instanceof List<?> values) || values.isEmpty()) {
                separate(out).append(name);
                continue;
            }
            for (Object v : values) {
                separate(out).append(name).append('=').append(form(String.valueOf(v)));
            }
        }
        return out.toString();
    }

    private static Map<String, List<String>> decodeMultiMap(String text) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return Collections.unmodifiableMap(map);
        }
        for (String pair : text.split("&", -1)) {
            int eq = pair.indexOf('=');
            String name = unform(eq < 0 ? pair : pair.substring(0, eq));
            List<String> values = map.computeIfAbsent(name, k -> new ArrayList<>());
            if (eq >= 0) {
                values.add(unform(pair.substring(eq + 1)));
            }
        }
        map.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(map);
    }

    private static String encodeMap(Map<?, ?> map) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            separate(out).append(form(String.valueOf(e.getKey())));
            if (e.getValue() != null) {
                out.append('=').append(form(String.valueOf(e.getValue())));
            }
        }
        return out.toString();
    }

    private static Map<String, String> decodeMap(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        if (!text.isEmpty()) {
            for (String pair : text.split("&", -1)) {
                int eq = pair.indexOf('=');
                map.put(unform(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : unform(pair.substring(eq + 1)));
            }
        }
        return Collections.unmodifiableMap(map);
    }

    private static String encodeExtensions(List<?> extensions) {
        StringBuilder out = new StringBuilder();
        for (Object o : extensions) {
            if (!(o instanceof Extension extension)) {
                continue;
            }
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(form(extension.getName()));
            List<Extension.Parameter> parameters = extension.getParameters();
            if (parameters != null) {
                for (Extension.Parameter p : parameters) {
                    out.append(';').append(form(p.getName()));
                    if (p.getValue() != null) {
                        out.append('=').append(form(p.getValue()));
                    }
                }
            }
        }
        return out.toString();
    }

    private static List<Extension> decodeExtensions(String text) {
        List<Extension> extensions = new ArrayList<>();
        if (text.isEmpty()) {
            return List.of();
        }
        for (String one : text.split(",", -1)) {
            String[] tokens = one.split(";", -1);
            List<Extension.Parameter> parameters = new ArrayList<>();
            for (int i = 1; i < tokens.length; i++) {
                int eq = tokens[i].indexOf('=');
                parameters.add(new TyrusExtension.TyrusParameter(unform(eq < 0 ? tokens[i] : tokens[i].substring(0, eq)),
                        eq < 0 ? null : unform(tokens[i].substring(eq + 1))));
            }
            extensions.add(new TyrusExtension(unform(tokens[0]), parameters));
        }
        return Collections.unmodifiableList(extensions);
    }

    private static StringBuilder separate(StringBuilder out) {
        return out.isEmpty() ? out : out.append('&');
    }

    private static String form(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }

    private static String unform(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /**
     * The principal of a remote session: its name, all that crosses nodes.
     *
     * @param name the principal's name
     */
    record NamedPrincipal(String name) implements Principal {

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
