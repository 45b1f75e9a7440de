package com.permamind.gateway.routes;

import static com.permamind.gateway.support.GatewayHarness.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import com.permamind.gateway.support.MovableClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Download statistics are read per minute (the minute is the {@code now} of the read, so part of its
 * cache key): when the minute turns during an outage, the answer of the minute before is the last
 * good one, served stale, instead of a wait for dryrun or a 503.
 */
class StaleClockedReadTest {

    private static final String STATS = "/api/skills/semver-order/downloads";
    private static final long DRYRUN_MILLIS = 3000;
    private static final MovableClock clock = new MovableClock(RegistryFixture.load().now());
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.startWithOwnComputeUnit(Map.of(
                "cache.stale-if-error-seconds", "600",
                "hyperbeam.breaker.minimum-number-of-calls", "3", "hyperbeam.breaker.sliding-window-size", "3",
                "hyperbeam.breaker.wait-millis-in-open-state", "60000"), clock);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void should_serve_the_minute_before_stale_when_the_minute_turns_during_an_outage() throws Exception {
        HttpResponse<String> good = gateway.get(STATS);
        assertEquals("hyperbeam", source(good), good.body());
        gateway.openHyperbeamBreaker(3);

        // HyperBEAM failing over, dryrun slow: the new minute's read is answered at once, refreshed behind
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).inject(Fault.latency(DRYRUN_MILLIS, 0));
        gateway.simulator().resetCounters();
        clock.advance(Duration.ofMinutes(1));
        long start = System.nanoTime();
        HttpResponse<String> stale = gateway.get(STATS);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, stale.statusCode(), stale.body());
        assertEquals("stale", source(stale));
        assertEquals(good.body(), stale.body());
        assertTrue(millis < DRYRUN_MILLIS / 2, "the stale answer took " + millis + " ms");
        assertEquals(200, gateway.awaitSource(STATS, "cache", DRYRUN_MILLIS * 3).statusCode());
        assertEquals(0, gateway.simulator().calls(Upstream.HYPERBEAM, "get-download-stats"), "the open breaker was bypassed");
        assertTrue(gateway.simulator().calls(Upstream.COMPUTE_UNIT, "Get-Skill") >= 1,
                "the new minute's answer came through dryrun: " + gateway.simulator().calls(Upstream.COMPUTE_UNIT));

        // both tiers down: the answer of a minute before is still better than a 503
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).inject(Fault.status(500));
        clock.advance(Duration.ofMinutes(1));
        HttpResponse<String> lastGood = gateway.get(STATS);
        assertEquals(200, lastGood.statusCode(), lastGood.body());
        assertEquals("stale", source(lastGood));
    }
}
