package io.wscluster.tyrus.internal;

import java.io.ByteArrayOutputStream;
import java.util.Base64;

/**
 * What RFC 6455 and plain prudence require of a request before anything serves it: a
 * {@code Sec-WebSocket-Key} that is 16 bytes in base64, and a path without a {@code ..} segment
 * (Grizzly answers such a path with 500 and an empty body; here it gets 400).
 */
final class HandshakeChecks {

    private HandshakeChecks() {
    }

    /** @return whether the key is the base64 encoding of exactly 16 bytes (RFC 6455, section 4.1) */
    static boolean validKey(String key) {
        if (key == null || key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * @param requestUri the request target as sent, before the query
     * @return whether, once percent-decoded, it holds a {@code ..} segment (with {@code /} or {@code \}
     *         as separator) or an escape that does not decode
     */
    static boolean traversal(String requestUri) {
        if (requestUri == null) {
            return false;
        }
        int query = requestUri.indexOf('?');
        String path = query >= 0 ? requestUri.substring(0, query) : requestUri;
        ByteArrayOutputStream decoded = new ByteArrayOutputStream(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%') {
                decoded.write(c);
                continue;
            }
            if (i + 2 >= path.length()) {
                return true;
            }
            int hi = Character.digit(path.charAt(i + 1), 16);
            int lo = Character.digit(path.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                return true;
            }
            decoded.write(hi * 16 + lo);
            i += 2;
        }
        String text = decoded.toString(java.nio.charset.StandardCharsets.ISO_8859_1).replace('\\', '/');
        for (String segment : text.split("/", -1)) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
    }
}
