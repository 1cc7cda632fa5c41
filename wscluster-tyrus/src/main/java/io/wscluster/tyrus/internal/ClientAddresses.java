package io.wscluster.tyrus.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Client addresses as the connection bounds count them: IP literals in one canonical spelling, and the
 * client behind a trusted proxy taken from its forwarded-for header. Never resolves a host name.
 * Public only for {@code AdmissionSettings}; not API.
 */
public final class ClientAddresses {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[0-9A-Za-z]+)?");

    private ClientAddresses() {
    }

    /**
     * @param literal an IPv4 or IPv6 address literal (IPv6 optionally in brackets)
     * @return its canonical spelling, or empty if it is not an IP literal (a host name is never resolved)
     */
    public static Optional<String> canonical(String literal) {
        String s = literal.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        boolean v4 = IPV4.matcher(s).matches();
        boolean v6 = !v4 && s.indexOf(':') >= 0 && IPV6.matcher(s).matches();
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(s).getHostAddress()); // a literal: no lookup
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * The client a request came from, given the proxies that are trusted: the right-most address of
     * the forwarded-for header that is not a trusted proxy; the peer itself when the header is absent
     * or holds nothing usable.
     *
     * @param peer      the socket's peer, canonical, a trusted proxy
     * @param forwarded the header's values, in order (empty if absent)
     * @param trusted   the trusted proxies, canonical
     * @return the client address, canonical
     */
    static String forwardedClient(String peer, List<String> forwarded, Set<String> trusted) {
        String joined = String.join(",", forwarded);
        String[] hops = joined.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            Optional<String> hop = canonical(stripPort(hops[i].trim()));
            if (hop.isEmpty()) {
                return peer; // a hop that is not an address: nothing to the left of it can be believed
            }
            if (!trusted.contains(hop.get())) {
                return hop.get();
            }
        }
        return peer;
    }

    /** "1.2.3.4:5678" and "[::1]:5678" to the address alone; other forms as given. */
    private static String stripPort(String hop) {
        if (hop.startsWith("[")) {
            int end = hop.indexOf(']');
            return end > 0 ? hop.substring(0, end + 1) : hop;
        }
        int colon = hop.indexOf(':');
        return colon > 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
    }
}
