package com.permamind.gateway.observe;

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
 * With both upstreams down the gateway is ready as long as its cache can serve: a load balancer
 * would otherwise drop every replica at once although each still answers what it holds. Once the
 * newest answer is past its stale limit there is nothing left to serve, and it is not ready.
 * Liveness never depends on the upstreams.
 */
class ReadinessTest {

    private static final int TTL_SECONDS = 1;
    private static final int STALE_SECONDS = 3;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of("gateway.health-probe-seconds", "0", "hyperbeam.timeout-millis", "500",
                "cache.ttl-seconds", Integer.toString(TTL_SECONDS),
                "cache.stale-if-error-seconds", Integer.toString(STALE_SECONDS)));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void ready_and_degraded_while_the_cache_serves_without_either_tier_then_not_ready() throws Exception {
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.connectionRefused());
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).inject(Fault.connectionRefused());
        HttpResponse<String> empty = gateway.management("/observe/health/ready");
        assertEquals(503, empty.statusCode(), "nothing cached, no tier: " + empty.body());

        gateway.simulator().reset();
        assertEquals(200, gateway.get("/api/skills/dao").statusCode());
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.connectionRefused());
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).inject(Fault.connectionRefused());

        HttpResponse<String> ready = gateway.management("/observe/health/ready?data=true");
        assertEquals(200, ready.statusCode(), ready.body());
        String details = ready.body().replace(" ", "");
        assertTrue(details.contains("\"degraded\":true") && details.contains("\"cache\":\"stale\""), ready.body());
        Thread.sleep(TTL_SECONDS * 1000L + 200);
        HttpResponse<String> stale = gateway.get("/api/skills/dao");
        assertEquals("stale", GatewayHarness.source(stale), "the cache did serve while the gateway said ready");

        long deadline = System.currentTimeMillis() + (TTL_SECONDS + STALE_SECONDS + 5) * 1000L;
        HttpResponse<String> unready = gateway.management("/observe/health/ready");
        while (unready.statusCode() == 200 && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            unready = gateway.management("/observe/health/ready");
        }
        assertEquals(503, unready.statusCode(), "past the stale limit nothing can be served: " + unready.body());
        assertEquals(200, gateway.management("/observe/health/live").statusCode());
    }
}
