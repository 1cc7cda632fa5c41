package io.wscluster.loadgen;

/**
 * A log-linear histogram of non-negative longs (microseconds here) with a relative error under 1.6%:
 * values below 128 have a bucket each, larger ones 64 buckets per power of two. Recording is one
 * array increment and never allocates. Not thread-safe: each I/O thread keeps its own and they are
 * merged at the end.
 */
final class Histogram {

    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private static final int LINEAR = 2 * SUB;
    private final long[] counts = new long[LINEAR + 58 * SUB];
    private long total;
    private long max;

    void record(long value) {
        long v = Math.max(0, value);
        counts[index(v)]++;
        total++;
        if (v > max) {
            max = v;
        }
    }

    void clear() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }

    void add(Histogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /**
     * @param q a quantile in [0, 1]
     * @return the upper bound of the bucket holding that quantile (0 when empty)
     */
    long quantile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upper(i), max);
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int shift = msb - SUB_BITS;
        int sub = (int) (v >>> shift) - SUB;
        return LINEAR + (shift - 1) * SUB + sub;
    }

    static long upper(int index) {
        if (index < LINEAR) {
            return index;
        }
        int shift = (index - LINEAR) / SUB + 1;
        int sub = (index - LINEAR) % SUB + SUB;
        return ((long) (sub + 1) << shift) - 1;
    }
}
