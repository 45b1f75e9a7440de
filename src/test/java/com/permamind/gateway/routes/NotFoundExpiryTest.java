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

/** An unknown skill's 404 is remembered for the not-found TTL only: it is never a stale answer. */
class NotFoundExpiryTest {

    private static final long NOT_FOUND_TTL_SECONDS = 1;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of(
                "cache.not-found-ttl-seconds", Long.toString(NOT_FOUND_TTL_SECONDS),
                "cache.stale-if-error-seconds", "60"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void should_answer_503_not_a_stale_404_once_the_not_found_ttl_passed_and_both_tiers_fail() throws Exception {
        assertEquals(404, gateway.get("/api/skills/ghost").statusCode());
        HttpResponse<String> remembered = gateway.get("/api/skills/ghost");
        assertEquals(404, remembered.statusCode());
        assertEquals("cache", source(remembered));

        Thread.sleep(NOT_FOUND_TTL_SECONDS * 1000 + 300);
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.status(500));
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).inject(Fault.status(503));

        HttpResponse<String> afterTtl = gateway.get("/api/skills/ghost");
        assertEquals(503, afterTtl.statusCode(), afterTtl.body());
        assertTrue(afterTtl.headers().firstValue("Retry-After").isPresent());
    }
}
