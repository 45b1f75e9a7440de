package com.permamind.gateway.routes;

import static com.permamind.gateway.support.GatewayHarness.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * For one freshness period after HyperBEAM's breaker closes again, expired answers are still served
 * stale and refreshed behind their readers; after it, an expired answer waits for HyperBEAM again.
 */
class StaleAfterRecoveryTest {

    private static final long TTL_SECONDS = 2;
    private static final long HYPERBEAM_MILLIS = 1000;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.startWithOwnComputeUnit(Map.of(
                "cache.ttl-seconds", Long.toString(TTL_SECONDS),
                "cache.stale-if-error-seconds", "60",
                "hyperbeam.breaker.minimum-number-of-calls", "3", "hyperbeam.breaker.sliding-window-size", "3",
                "hyperbeam.breaker.wait-millis-in-open-state", "1000",
                "hyperbeam.breaker.permitted-calls-in-half-open-state", "1"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void should_serve_expired_answers_stale_for_one_freshness_period_after_hyperbeam_recovers() throws Exception {
        HttpResponse<String> good = gateway.get("/api/skills/semver-order");
        gateway.openHyperbeamBreaker(3);
        Thread.sleep(TTL_SECONDS * 1000 + 300);
        gateway.simulator().faults(Upstream.HYPERBEAM).clear();
        // the breaker is half-open by now: one good call closes it
        assertEquals("hyperbeam", source(gateway.get("/api/skills/bundler")));
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.latency(HYPERBEAM_MILLIS, 0));
        gateway.simulator().resetCounters();

        long start = System.nanoTime();
        HttpResponse<String> stale = gateway.get("/api/skills/semver-order");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("stale", source(stale));
        assertEquals(good.body(), stale.body());
        assertTrue(millis < HYPERBEAM_MILLIS / 2, "a stale answer took " + millis + " ms");
        HttpResponse<String> refreshed = gateway.awaitSource("/api/skills/semver-order", "cache", HYPERBEAM_MILLIS * 3);
        assertEquals(good.body(), refreshed.body());
        assertEquals(1, gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill"));

        // past the grace period, and the answer expired again: its reader waits for HyperBEAM as usual
        Thread.sleep(TTL_SECONDS * 1000 + 300);
        assertEquals("hyperbeam", source(gateway.get("/api/skills/semver-order")));
    }
}
