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

/** Both tiers down: what the cache had is served as stale, the rest is 503, and neither upstream is hammered. */
class StaleIfErrorTest {

    private static final long TTL_SECONDS = 1;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of(
                "cache.ttl-seconds", Long.toString(TTL_SECONDS),
                "cache.stale-if-error-seconds", "60",
                "hyperbeam.breaker.minimum-number-of-calls", "3", "hyperbeam.breaker.sliding-window-size", "3",
                "ao.breaker.minimum-number-of-calls", "3", "ao.breaker.sliding-window-size", "3",
                "hyperbeam.breaker.wait-millis-in-open-state", "60000", "ao.breaker.wait-millis-in-open-state", "60000"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void should_serve_stale_when_both_tiers_fail_and_503_for_what_it_never_had() throws Exception {
        HttpResponse<String> good = gateway.get("/api/skills/semver-order");
        Thread.sleep(TTL_SECONDS * 1000 + 300);
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.status(500));
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).inject(Fault.status(503));

        HttpResponse<String> stale = gateway.get("/api/skills/semver-order");
        assertEquals(200, stale.statusCode());
        assertEquals("stale", source(stale));
        assertEquals(good.body(), stale.body());
        assertTrue(Long.parseLong(stale.headers().firstValue("Age").orElse("0")) >= TTL_SECONDS);

        for (int i = 0; i < 20; i++) {
            HttpResponse<String> never = gateway.get("/api/skills/search?q=never-cached-" + i);
            assertEquals(503, never.statusCode());
            assertTrue(never.headers().firstValue("Retry-After").isPresent());
        }
        // both breakers opened: twenty failing reads did not become twenty calls to each upstream
        long hyperbeamCalls = gateway.simulator().calls(Upstream.HYPERBEAM).values().stream().mapToLong(Long::longValue).sum();
        long dryrunCalls = gateway.simulator().calls(Upstream.COMPUTE_UNIT).values().stream().mapToLong(Long::longValue).sum();
        assertTrue(hyperbeamCalls <= 3, hyperbeamCalls + " HyperBEAM calls");
        assertTrue(dryrunCalls <= 3, dryrunCalls + " dryrun calls");
    }
}
