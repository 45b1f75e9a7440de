package com.permamind.gateway.routes;

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

/** The breaker opens on HyperBEAM failures, keeps reads off the node while open, and closes again. */
class CircuitBreakerTest {

    private static final int MINIMUM_CALLS = 4;
    private static final long OPEN_MILLIS = 2000;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.startWithOwnComputeUnit(Map.of("cache.enabled", "false",
                "hyperbeam.timeout-millis", "1000",
                "hyperbeam.breaker.minimum-number-of-calls", Integer.toString(MINIMUM_CALLS),
                "hyperbeam.breaker.sliding-window-size", Integer.toString(MINIMUM_CALLS),
                "hyperbeam.breaker.failure-rate-threshold", "50",
                "hyperbeam.breaker.wait-millis-in-open-state", Long.toString(OPEN_MILLIS),
                "hyperbeam.breaker.permitted-calls-in-half-open-state", "1"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void should_open_after_failures_serve_dryrun_without_waiting_and_close_after_recovery() throws Exception {
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.hang());
        for (int i = 0; i < MINIMUM_CALLS; i++) {
            HttpResponse<String> tried = gateway.get("/api/skills/cron?attempt=" + i);
            assertEquals("dryrun", source(tried), tried.body());
        }
        long hyperbeamCallsWhenOpen = gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill");
        assertEquals(MINIMUM_CALLS, hyperbeamCallsWhenOpen);

        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> answer = gateway.get("/api/skills/semver-order/versions");
            assertEquals(200, answer.statusCode());
            assertEquals("dryrun", source(answer));
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill-versions"),
                "an open breaker keeps reads off HyperBEAM");
        assertTrue(elapsedMillis < 1000, "an open breaker does not wait for the node's timeout: " + elapsedMillis + " ms");

        gateway.simulator().faults(Upstream.HYPERBEAM).clear();
        Thread.sleep(OPEN_MILLIS + 500);
        assertEquals("hyperbeam", source(gateway.get("/api/skills/cron")), "half open: a trial call reaches HyperBEAM");
        assertEquals("hyperbeam", source(gateway.get("/api/skills/semver-order")), "closed again");
    }

    private static String source(HttpResponse<String> answer) {
        return answer.headers().firstValue("X-Registry-Source").orElse("none (" + answer.statusCode() + ")");
    }
}
