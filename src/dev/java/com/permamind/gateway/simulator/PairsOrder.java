package com.permamind.gateway.simulator;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Emulates the order Lua's {@code pairs} walks a table in: arbitrary, the same for the same keys in
 * the same process memory, but not from one evaluation to the next on a compute unit (another
 * worker, a reload, a write in between: contract section 5). Another seed is another process run.
 */
final class PairsOrder {

    private final long seed;
    private final boolean changesPerEvaluation;
    private final AtomicLong evaluations = new AtomicLong();

    private PairsOrder(long seed, boolean changesPerEvaluation) {
        this.seed = seed;
        this.changesPerEvaluation = changesPerEvaluation;
    }

    /** One order for the process's life: what a single long-lived evaluator would give. */
    static PairsOrder stable(long seed) {
        return new PairsOrder(seed, false);
    }

    /** Another order for every walk, as a compute unit's evaluations give. */
    static PairsOrder perEvaluation(long seed) {
        return new PairsOrder(seed, true);
    }

    List<String> of(Collection<String> keys) {
        long walk = changesPerEvaluation ? seed + evaluations.incrementAndGet() * 0x9E3779B97F4A7C15L : seed;
        return keys.stream()
                .sorted(Comparator.comparingLong((String key) -> slot(walk, key)).thenComparing(Comparator.naturalOrder()))
                .toList();
    }

    private static long slot(long walk, String key) {
        return new SplittableRandom(walk ^ key.hashCode()).nextLong();
    }
}
