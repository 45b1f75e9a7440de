package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operators' switches, each by environment and shown in readiness: the read path
 * (registry.read-path, REGISTRY_READ_PATH: the dryrun alone, HyperBEAM not called), the response cache
 * (CACHE_ENABLED) and the forwarder (DOWNLOAD_EVENTS_FORWARDER_ENABLED).
 */
class ReadPathTest {

    @Test
    void should_read_by_dryrun_alone_when_the_read_path_says_so_and_show_it_in_readiness() {
        try (GatewayHarness gateway = GatewayHarness.start(Map.of("registry.read-path", "dryrun"))) {
            HttpResponse<String> search = gateway.get("/api/skills/search?q=ao");
            HttpResponse<String> skill = gateway.get("/api/skills/semver-order");

            assertEquals(200, search.statusCode(), search.body());
            assertEquals("dryrun", GatewayHarness.source(search));
            assertEquals("dryrun", GatewayHarness.source(skill));
            assertEquals(Map.of(), gateway.simulator().calls(Upstream.HYPERBEAM));
            assertEquals(Map.of("Search-Skills", 1L), gateway.simulator().calls(Upstream.COMPUTE_UNIT),
                    "one snapshot served both");
            HttpResponse<String> ready = gateway.management("/observe/health/ready?data=true");
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().replace(" ", "").contains("\"read-path\":\"dryrun\""), ready.body());
        }
    }

    @Test
    void should_show_the_response_cache_and_the_forwarder_switched_off_in_readiness() {
        try (GatewayHarness gateway = GatewayHarness.start(Map.of("cache.enabled", "false",
                "download-events.forwarder.enabled", "false", "download-events.wallet-throwaway", "true"))) {
            gateway.get("/api/skills/search?q=ao");
            assertEquals("hyperbeam", GatewayHarness.source(gateway.get("/api/skills/search?q=ao")), "not cached");
            String ready = gateway.management("/observe/health/ready?data=true").body().replace(" ", "");

            assertTrue(ready.contains("\"response-cache\":\"off\""), ready);
            assertTrue(ready.contains("\"forwarder\":\"switchedoff\""), ready);
        }
    }

    @Test
    void should_read_through_hyperbeam_by_default() {
        try (GatewayHarness gateway = GatewayHarness.start()) {
            assertEquals("hyperbeam", GatewayHarness.source(gateway.get("/api/skills/search?q=ao")));
            assertTrue(gateway.get("/api/info").body().contains("\"downloadCounts\":\"Read through HyperBEAM, download counts"),
                    "info says that HyperBEAM's counts lag until the process publishes its state again");
            assertTrue(gateway.management("/observe/health/ready?data=true").body().replace(" ", "")
                    .contains("\"read-path\":\"hyperbeam\""));
        }
    }
}
