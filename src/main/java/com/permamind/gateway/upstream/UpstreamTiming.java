package com.permamind.gateway.upstream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;

/** Records which upstream answered and how long it took, for the answer's headers and the metrics. */
public final class UpstreamTiming {

    public static final String SOURCE = "registrySource";
    public static final String UPSTREAM_NANOS = "registryUpstreamNanos";

    private final MeterRegistry registry;
    // registered once per tier and outcome, not looked up again on every call
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public UpstreamTiming(MeterRegistry registry) {
        this.registry = registry;
    }

    void answered(Exchange exchange, String tier, long startNanos) {
        long nanos = System.nanoTime() - startNanos;
        exchange.setProperty(SOURCE, tier);
        exchange.setProperty(UPSTREAM_NANOS, nanos);
        timer(tier, "ok").record(nanos, TimeUnit.NANOSECONDS);
    }

    void failed(String tier, long startNanos) {
        timer(tier, "failure").record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(String tier, String outcome) {
        return timers.computeIfAbsent(tier + ' ' + outcome, key -> register(tier, outcome));
    }

    private Timer register(String tier, String outcome) {
        return Timer.builder("registry.upstream").description("Calls to an upstream tier, answer or failure")
                .tag("tier", tier).tag("outcome", outcome).publishPercentileHistogram().register(registry);
    }
}
