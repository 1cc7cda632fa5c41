package io.wscluster.examples.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Ordering of user lists as the protocol states it. */
final class Users {

    private Users() {
    }

    /**
     * Sorts names by Unicode code point (the protocol's order for {@code who}). {@link String#compareTo}
     * compares UTF-16 units, which differs from code-point order for characters above U+FFFF; names are
     * ASCII today, but the order is stated once, here.
     *
     * @param users the names
     * @return a new sorted list
     */
    static List<String> sortedByCodePoint(Collection<String> users) {
        List<String> sorted = new ArrayList<>(users);
        sorted.sort(Users::compareCodePoints);
        return sorted;
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
