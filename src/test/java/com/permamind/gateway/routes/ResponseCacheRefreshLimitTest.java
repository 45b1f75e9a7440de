package com.permamind.gateway.routes;

import static com.permamind.gateway.support.GatewayHarness.source;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Background refreshes are bounded (cache.refreshes-at-once): an answer due when none is free is refreshed later. */
class ResponseCacheRefreshLimitTest {

    private static final long TTL_SECONDS = 8;
    // under the harness's HyperBEAM time limit (1.5 s), so the refreshes succeed
    private static final long HYPERBEAM_MILLIS = 1000;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of(
                "cache.ttl-seconds", Long.toString(TTL_SECONDS),
                "cache.refresh-ahead", "0.5",
                "cache.refreshes-at-once", "1"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void should_refresh_no_more_answers_at_once_than_allowed_and_the_others_on_a_later_read() throws Exception {
        String first = "/api/skills/semver-order";
        String second = "/api/skills/bundler";
        assertEquals("hyperbeam", source(gateway.get(first)));
        assertEquals("hyperbeam", source(gateway.get(second)));
        Thread.sleep(TTL_SECONDS * 1000 / 2 + 200);
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.latency(HYPERBEAM_MILLIS, 0));
        gateway.simulator().resetCounters();

        // both due for refresh, both still served from the cache; one refresh may run
        assertEquals("cache", source(gateway.get(first)));
        assertEquals("cache", source(gateway.get(second)));
        Thread.sleep(HYPERBEAM_MILLIS / 3);
        assertEquals(1, gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill"), "refreshes under way");

        Thread.sleep(HYPERBEAM_MILLIS);
        assertEquals("cache", source(gateway.get(second)));
        Thread.sleep(HYPERBEAM_MILLIS / 3);
        assertEquals(2, gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill"),
                "the answer refused a refresh was refreshed on its next read");
    }
}
