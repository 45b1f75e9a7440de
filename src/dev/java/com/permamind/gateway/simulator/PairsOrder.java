package com.permamind.gateway.simulator;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Emulates the order Lua's {@code pairs} walks a table in: arbitrary, but the same every time for
 * the same keys in the same process memory. Another seed is another process run.
 */
final class PairsOrder {

    private final long seed;

    PairsOrder(long seed) {
        this.seed = seed;
    }

    List<String> of(Collection<String> keys) {
        return keys.stream()
                .sorted(Comparator.comparingLong(this::slot).thenComparing(Comparator.naturalOrder()))
                .toList();
    }

    private long slot(String key) {
        return new SplittableRandom(seed ^ key.hashCode()).nextLong();
    }
}
