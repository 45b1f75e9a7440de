package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.simulator.RecordedRequest;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input is answered 400 by the gateway itself; nothing of it reaches an upstream. */
class BadInputTest {

    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @BeforeEach
    void resetCounters() {
        gateway.simulator().resetCounters();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/api/skills/a%2Fb", "/api/skills/nul%00byte", "/api/skills/tab%09name/versions",
        "/api/skills/semver-order?version=1.2", "/api/skills/semver-order?version=v1.2.0",
        "/api/skills/cron/downloads?version=latest", "/api/skills/cron/downloads?timeRange=14",
        "/api/stats/downloads?timeRange=ALL", "/api/skills/search?limit=0", "/api/skills/search?limit=101",
        "/api/skills/search?limit=ten", "/api/skills/search?offset=-1", "/api/skills/search?offset=100001",
        "/api/skills?limit=1.5", "/api/skills?tags=a,b,c,d,e,f,g,h,i,j,k", "/api/skills/search?q=a&q=b",
        "/api/skills/search?q=a&q="})
    void should_refuse_bad_input_without_calling_an_upstream(String path) {
        assertRefused(gateway.get(path));
    }

    @Test
    void should_refuse_names_of_129_characters_and_queries_of_257() {
        assertRefused(gateway.get("/api/skills/" + "n".repeat(129)));
        assertRefused(gateway.get("/api/skills/search?q=" + "x".repeat(257)));
        assertEquals(404, gateway.get("/api/skills/" + "n".repeat(128)).statusCode());
    }

    @Test
    void should_refuse_the_same_bad_input_again_with_the_same_detail_once_its_verdict_is_remembered() {
        HttpResponse<String> first = gateway.get("/api/skills/search?limit=1000");
        HttpResponse<String> again = gateway.get("/api/skills/search?limit=1000");
        assertRefused(first);
        assertRefused(again);
        assertEquals(first.body(), again.body());
        assertEquals(200, gateway.get("/api/skills/search?limit=100").statusCode(), "a good limit was refused");
    }

    @Test
    void should_refuse_a_10_kb_query_string() {
        assertRefused(gateway.get("/api/skills/search?q=ao&filler=" + "x".repeat(10_000)));
    }

    @Test
    void should_ignore_parameters_that_would_hijack_the_node_call() {
        HttpResponse<String> hijacked = gateway.get(
                "/api/skills/search?q=lua&function=x&module=evil&path=/x&device=y&body=z&method=POST&slot=1&sandbox=0");

        assertEquals(200, hijacked.statusCode());
        List<RecordedRequest> sent = gateway.simulator().requests(Upstream.HYPERBEAM);
        assertEquals(1, sent.size());
        for (String hijack : List.of("function", "module", "path", "device", "body", "method", "slot", "sandbox")) {
            assertTrue(sent.get(0).queryParam(hijack) == null, hijack + " reached the node: " + sent.get(0));
        }
        assertEquals("lua", sent.get(0).queryParam("q"));
        // nothing of them is part of the request either: the plain query is the same cached answer
        HttpResponse<String> plain = gateway.get("/api/skills/search?q=lua");
        assertEquals(hijacked.body(), plain.body());
        assertEquals("cache", plain.headers().firstValue("X-Registry-Source").orElse(null));
    }

    @Test
    void should_take_the_skill_name_from_the_path_even_when_the_query_names_another() {
        HttpResponse<String> answer = gateway.get("/api/skills/semver-order?name=cron");
        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("\"name\":\"semver-order\""), answer.body());
    }

    private static void assertRefused(HttpResponse<String> answer) {
        assertEquals(400, answer.statusCode(), answer.body());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElse(null));
        assertTrue(answer.body().contains("\"status\":400") && answer.body().contains("\"detail\""), answer.body());
        assertFalse(answer.body().contains("Exception"), answer.body());
        assertEquals(0, gateway.simulator().requests(Upstream.HYPERBEAM).size(), "HyperBEAM was called");
        assertEquals(0, gateway.simulator().requests(Upstream.COMPUTE_UNIT).size(), "the compute unit was called");
    }
}
