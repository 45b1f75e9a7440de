package com.permamind.gateway.health;

import com.permamind.gateway.arweave.LuaModuleDriftCheck;
import com.permamind.gateway.upstream.DryrunBudget;
import com.permamind.gateway.upstream.ReadPath;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Ready while at least one read tier can answer, or the response cache can serve its answers
 * stale. HyperBEAM down with the dryrun up is still ready, reported {@code degraded}; both down
 * with answers in the cache within their stale limit is ready and {@code degraded} too, so a load
 * balancer does not drop every replica while each could serve what it holds; both down with
 * nothing to serve is not ready. Each tier is probed (a cheap read), at most
 * once per {@code probeEvery}, and its breaker state is shown next to the probe. Kafka, which
 * only download events need, is reported without affecting readiness.
 */
public class ReadTiersHealthCheck extends AbstractHealthCheck {

    private final ReadPath readPath;
    private final Probe hyperbeam;
    private final Probe computeUnit;
    private final Probe kafka;
    private final CircuitBreaker hyperbeamBreaker;
    private final CircuitBreaker computeUnitBreaker;
    private final DryrunBudget dryrunBudget;
    private final LuaModuleDriftCheck drift;
    private final boolean cacheEnabled;
    private final BooleanSupplier cacheCanServe;

    public ReadTiersHealthCheck(ReadPath readPath, BooleanSupplier hyperbeamProbe, BooleanSupplier computeUnitProbe,
            BooleanSupplier kafkaProbe, CircuitBreaker hyperbeamBreaker, CircuitBreaker computeUnitBreaker,
            DryrunBudget dryrunBudget, LuaModuleDriftCheck drift, Duration probeEvery, boolean cacheEnabled,
            BooleanSupplier cacheCanServe) {
        super("registry", "read-tiers");
        this.cacheEnabled = cacheEnabled;
        this.readPath = readPath;
        this.dryrunBudget = dryrunBudget;
        this.hyperbeam = new Probe(hyperbeamProbe, probeEvery);
        this.computeUnit = new Probe(computeUnitProbe, probeEvery);
        this.kafka = new Probe(kafkaProbe, probeEvery);
        this.hyperbeamBreaker = hyperbeamBreaker;
        this.computeUnitBreaker = computeUnitBreaker;
        this.drift = drift;
        this.cacheCanServe = cacheCanServe;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        // on the dryrun path HyperBEAM is not called, so it cannot answer a read either
        boolean hyperbeamUp = readPath == ReadPath.HYPERBEAM && hyperbeam.up();
        boolean dryrunUp = computeUnit.up();
        builder.detail("read-path", readPath.setting());
        builder.detail("response-cache", cacheEnabled ? "on" : "off");
        builder.detail("hyperbeam", readPath == ReadPath.DRYRUN ? "not used" : hyperbeamUp ? "up" : "down");
        builder.detail("hyperbeam.breaker", hyperbeamBreaker.getState().name());
        builder.detail("dryrun", dryrunUp ? "up" : "down");
        builder.detail("dryrun.breaker", computeUnitBreaker.getState().name());
        builder.detail("dryrun.sent-last-minute", dryrunBudget.sentInWindow());
        builder.detail("dryrun.per-minute", dryrunBudget.perMinute() == 0 ? "no limit" : dryrunBudget.perMinute());
        builder.detail("degraded", !hyperbeamUp);
        // reads do not need Kafka: reported here, it does not make the gateway unready
        builder.detail("kafka", kafka.up() ? "up" : "down");
        drift.lastCheck().ifPresent(result -> builder.detail("lua.module", result.status().name()));
        if (hyperbeamUp || dryrunUp) {
            builder.up();
        } else if (cacheCanServe.getAsBoolean()) {
            builder.detail("cache", "stale");
            builder.message("no read tier can answer: the cache serves its answers stale").up();
        } else {
            builder.message("no read tier can answer: HyperBEAM and the compute unit are both down").down();
        }
    }

    /** The last probe's outcome, probed again once it is older than the interval. */
    private static final class Probe {
        private final BooleanSupplier probe;
        private final long everyNanos;
        private long probedAt;
        private boolean up;
        private boolean probed;

        Probe(BooleanSupplier probe, Duration every) {
            this.probe = probe;
            this.everyNanos = every.toNanos();
        }

        synchronized boolean up() {
            long now = System.nanoTime();
            if (!probed || now - probedAt >= everyNanos) {
                up = probe.getAsBoolean();
                probedAt = now;
                probed = true;
            }
            return up;
        }
    }
}
