package com.permamind.gateway.simulator;

import java.util.concurrent.ThreadLocalRandom;

/**
 * One misbehaviour of an upstream. Build it with the factories, then narrow it with
 * {@link #everyNth(int)} or {@link #randomly(double, long)} and add delay with {@link #withLatency(long, long)}.
 *
 * @param body for {@link FaultMode#STATUS}: the body to send; {@code null} sends the upstream's usual
 *             error body (text for HyperBEAM, {@code {"error":"..."}} for the compute unit)
 */
public record Fault(FaultMode mode, int status, String body, long latencyMillis, long jitterMillis, FailureRate rate) {

    public Fault {
        if (mode == FaultMode.STATUS && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("status must be an HTTP status code, was " + status);
        }
        if (latencyMillis < 0 || jitterMillis < 0) {
            throw new IllegalArgumentException("latency and jitter cannot be negative");
        }
        if (mode == FaultMode.CONNECTION_REFUSED && (!rate.isAlways() || latencyMillis > 0)) {
            // a closed port refuses every connection: there is no request to pick or delay
            throw new IllegalArgumentException("connection-refused applies to every request, without latency");
        }
    }

    public static Fault latency(long millis, long jitterMillis) {
        return new Fault(FaultMode.SLOW, 0, null, millis, jitterMillis, FailureRate.ALWAYS);
    }

    public static Fault status(int status) {
        return status(status, null);
    }

    public static Fault status(int status, String body) {
        return new Fault(FaultMode.STATUS, status, body, 0, 0, FailureRate.ALWAYS);
    }

    public static Fault nonJsonBody() {
        return of(FaultMode.NON_JSON);
    }

    public static Fault truncatedBody() {
        return of(FaultMode.TRUNCATED_BODY);
    }

    public static Fault connectionRefused() {
        return of(FaultMode.CONNECTION_REFUSED);
    }

    public static Fault hang() {
        return of(FaultMode.HANG);
    }

    public static Fault hugeBody() {
        return of(FaultMode.HUGE_BODY);
    }

    private static Fault of(FaultMode mode) {
        return new Fault(mode, 0, null, 0, 0, FailureRate.ALWAYS);
    }

    public Fault withLatency(long millis, long jitterMillis) {
        return new Fault(mode, status, body, millis, jitterMillis, rate);
    }

    public Fault everyNth(int n) {
        return new Fault(mode, status, body, latencyMillis, jitterMillis, FailureRate.everyNth(n));
    }

    public Fault randomly(double probability, long seed) {
        return new Fault(mode, status, body, latencyMillis, jitterMillis, FailureRate.random(probability, seed));
    }

    /** The latency plus a jitter drawn uniformly from 0..jitter, so concurrent calls do not all come back in step. */
    public long drawDelayMillis() {
        return latencyMillis + (jitterMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitterMillis + 1));
    }
}
