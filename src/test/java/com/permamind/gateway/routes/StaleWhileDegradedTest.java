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
 * HyperBEAM down, its breaker open, dryrun up but slow: an expired answer is served at once as
 * stale, and refreshed behind the reader through dryrun, once however many read it meanwhile.
 */
class StaleWhileDegradedTest {

    private static final long TTL_SECONDS = 1;
    private static final long DRYRUN_MILLIS = 3000;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.startWithOwnComputeUnit(Map.of(
                "cache.ttl-seconds", Long.toString(TTL_SECONDS),
                "cache.stale-if-error-seconds", "60",
                "hyperbeam.breaker.minimum-number-of-calls", "3", "hyperbeam.breaker.sliding-window-size", "3",
                "hyperbeam.breaker.wait-millis-in-open-state", "60000"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void should_serve_an_expired_answer_at_once_while_hyperbeam_fails_over_and_refresh_it_through_dryrun() throws Exception {
        HttpResponse<String> good = gateway.get("/api/skills/semver-order");
        assertEquals("hyperbeam", source(good));
        gateway.openHyperbeamBreaker(3);
        Thread.sleep(TTL_SECONDS * 1000 + 300);
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).inject(Fault.latency(DRYRUN_MILLIS, 0));
        gateway.simulator().resetCounters();

        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            HttpResponse<String> stale = gateway.get("/api/skills/semver-order");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, stale.statusCode());
            assertEquals("stale", source(stale));
            assertEquals(good.body(), stale.body());
            assertEquals("no-cache", stale.headers().firstValue("Cache-Control").orElse(""));
            assertTrue(Long.parseLong(stale.headers().firstValue("Age").orElse("0")) >= TTL_SECONDS);
            assertTrue(millis < DRYRUN_MILLIS / 2, "a stale answer took " + millis + " ms");
        }

        HttpResponse<String> refreshed = gateway.awaitSource("/api/skills/semver-order", "cache", DRYRUN_MILLIS * 3);
        assertEquals(good.body(), refreshed.body());
        assertEquals(1, gateway.simulator().calls(Upstream.COMPUTE_UNIT).values().stream().mapToLong(Long::longValue).sum(),
                "five stale reads of one key sent one refresh: " + gateway.simulator().calls(Upstream.COMPUTE_UNIT));
        assertEquals(0, gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill"), "the open breaker was bypassed");
    }
}
