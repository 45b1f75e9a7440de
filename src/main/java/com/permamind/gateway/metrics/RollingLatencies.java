package com.permamind.gateway.metrics;

import java.util.Arrays;

/** The latest latencies of one series (a query answered by one source), for percentiles over a time window. */
final class RollingLatencies {

    private final long[] at;
    private final long[] nanos;
    private int next;
    private int size;

    RollingLatencies(int capacity) {
        this.at = new long[capacity];
        this.nanos = new long[capacity];
    }

    synchronized void add(long atNanos, long latencyNanos) {
        at[next] = atNanos;
        nanos[next] = latencyNanos;
        next = (next + 1) % at.length;
        size = Math.min(size + 1, at.length);
    }

    /** Latencies recorded since {@code sinceNanos}, sorted. */
    synchronized long[] since(long sinceNanos) {
        long[] kept = new long[size];
        int count = 0;
        for (int i = 0; i < size; i++) {
            if (at[i] >= sinceNanos) {
                kept[count++] = nanos[i];
            }
        }
        long[] sorted = Arrays.copyOf(kept, count);
        Arrays.sort(sorted);
        return sorted;
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
