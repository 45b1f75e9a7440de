package com.permamind.gateway.query;

import static com.permamind.gateway.support.GatewayHarness.source;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.permamind.gateway.simulator.RecordedRequest;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests the Lua module reads alike are one read: the gateway keys and forwards the module's
 * canonical request (canonical-request), so they share one cache entry and one upstream call, and
 * the node receives the canonical parameters. Each query's freshness is its route's ttlSeconds.
 */
class CanonicalRequestTest {

    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of("cache.ttl-seconds", "600", "cache.ttl-seconds.info", "1"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @BeforeEach
    void resetCounters() {
        gateway.simulator().resetCounters();
    }

    @Test
    void should_read_list_filters_as_the_module_does_and_send_the_node_its_canonical_request() {
        HttpResponse<String> first = gateway.get("/api/skills?tags=Beginner,%20ao,,&author=%20Grace%20Hopper%20&name=");
        HttpResponse<String> same = gateway.get("/api/skills?author=grace%20hopper&tags=ao,beginner&limit=20&offset=00");

        assertEquals(200, first.statusCode(), first.body());
        assertEquals("hyperbeam", source(first));
        assertEquals("cache", source(same));
        assertEquals(first.body(), same.body());
        List<RecordedRequest> sent = gateway.simulator().requests(Upstream.HYPERBEAM);
        assertEquals(1, sent.size());
        RecordedRequest node = sent.get(0);
        assertEquals("list-skills", node.function());
        assertEquals(Map.of("author", List.of("grace hopper"), "tags", List.of("ao,beginner"), "limit", List.of("20"),
                "offset", List.of("0")), node.query());
    }

    @Test
    void should_keep_the_case_of_a_search_and_apply_its_defaults() {
        HttpResponse<String> first = gateway.get("/api/skills/search?q=%20Cache%09");
        HttpResponse<String> same = gateway.get("/api/skills/search?q=Cache&limit=020&offset=0");
        HttpResponse<String> other = gateway.get("/api/skills/search?q=cache");

        assertEquals("cache", source(same));
        assertEquals(first.body(), same.body());
        assertEquals("hyperbeam", source(other), "the answer echoes q: another case is another read");
        RecordedRequest node = gateway.simulator().requests(Upstream.HYPERBEAM).get(0);
        assertEquals(Map.of("q", List.of("Cache"), "limit", List.of("20"), "offset", List.of("0")), node.query());
    }

    @Test
    void should_keep_each_answer_as_long_as_its_route_says() throws InterruptedException {
        gateway.get("/api/info");
        gateway.get("/api/skills/cron/versions");
        Thread.sleep(1_300);

        assertEquals("hyperbeam", source(gateway.get("/api/info")), "info.yaml: cache.ttl-seconds.info, 1 s");
        assertEquals("cache", source(gateway.get("/api/skills/cron/versions")), "the template's default, 600 s");
    }
}
