package com.permamind.gateway.simulator;

/**
 * Which requests a fault hits: every one, every Nth, or each with a probability drawn from a
 * seeded generator, so that a flaky upstream is reproducible from test run to test run.
 */
public record FailureRate(int everyNth, double probability, long seed) {

    public static final FailureRate ALWAYS = new FailureRate(1, 1.0, 0);

    public FailureRate {
        if (everyNth < 1) {
            throw new IllegalArgumentException("everyNth must be at least 1, was " + everyNth);
        }
        if (probability < 0.0 || probability > 1.0) {
            throw new IllegalArgumentException("probability must be within 0..1, was " + probability);
        }
    }

    public static FailureRate everyNth(int n) {
        return new FailureRate(n, 1.0, 0);
    }

    public static FailureRate random(double probability, long seed) {
        return new FailureRate(1, probability, seed);
    }

    public boolean isAlways() {
        return everyNth == 1 && probability == 1.0;
    }

    public boolean isRandom() {
        return probability < 1.0;
    }
}
