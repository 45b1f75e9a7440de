package com.permamind.gateway.simulator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static com.permamind.gateway.simulator.SimulatorTestSupport.fixtureConfig;
import static com.permamind.gateway.simulator.SimulatorTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What tests learn from the Java handle about the calls the upstreams received. */
class CallLogTest {

    private static RegistrySimulator simulator;
    private static DryRunClient dryRun;

    @BeforeAll
    static void startSimulator() {
        LuaReads answersEverything = new LuaReads() {
            @Override
            public boolean hasFunction(String function) {
                return true;
            }

            @Override
            public String call(String function, Map<String, String> request) {
                return "{\"ok\":true,\"data\":{}}";
            }
        };
        simulator = new RegistrySimulator(fixtureConfig().luaModule(answersEverything).build()).start();
        dryRun = new DryRunClient(simulator);
    }

    @AfterAll
    static void stopSimulator() {
        simulator.stop();
    }

    @BeforeEach
    void resetCounters() {
        simulator.resetCounters();
    }

    @Test
    void should_count_hyperbeam_calls_per_lowercased_lua_function() {
        get(luaUrl("Search-Skills") + "?q=ao");
        get(luaUrl("search-skills") + "?q=dex");
        get(luaUrl("info"));

        assertEquals(2, simulator.calls(Upstream.HYPERBEAM, "search-skills"));
        assertEquals(1, simulator.calls(Upstream.HYPERBEAM, "info"));
        assertEquals(0, simulator.calls(Upstream.HYPERBEAM, "get-skill"));
        assertEquals(Map.of("search-skills", 2L, "info", 1L), simulator.calls(Upstream.HYPERBEAM));
    }

    @Test
    void should_count_dryrun_calls_per_action() {
        dryRun.send(Map.of("Action", "List-Skills"));
        dryRun.send(Map.of("Action", "List-Skills", "Limit", "5"));

        assertEquals(2, simulator.calls(Upstream.COMPUTE_UNIT, "List-Skills"));
        assertEquals(0, simulator.calls(Upstream.HYPERBEAM, "List-Skills"));
    }

    @Test
    void should_record_path_and_query_parameters_as_sent() {
        get(luaUrl("get-skill") + "?Name=cron&version=1.2.1&tags=a%2Cb");

        List<RecordedRequest> requests = simulator.requests(Upstream.HYPERBEAM);
        assertEquals(1, requests.size());
        RecordedRequest request = requests.get(0);
        assertEquals("GET", request.method());
        assertTrue(request.path().endsWith("/get-skill/serialize~json@1.0"), request.path());
        assertEquals(List.of("Name", "version", "tags"), List.copyOf(request.query().keySet()));
        assertEquals("cron", request.queryParam("Name"));
        assertEquals("a,b", request.queryParam("tags"));
        assertEquals("get-skill", request.function());
    }

    @Test
    void should_record_the_dryrun_body() {
        dryRun.send(Map.of("Action", "Get-Skill", "Name", "cron"));

        RecordedRequest request = simulator.requests(Upstream.COMPUTE_UNIT).get(0);
        assertEquals("POST", request.method());
        assertTrue(request.body().contains("\"Get-Skill\""), request.body());
        assertEquals(simulator.processId(), request.queryParam("process-id"));
    }

    @Test
    void should_count_unreadable_requests_under_a_marker() {
        get(simulator.hyperbeamUrl() + "/not/a/node/path");

        assertEquals(1, simulator.calls(Upstream.HYPERBEAM, UpstreamProtocol.UNRECOGNISED));
    }

    @Test
    void should_forget_calls_and_requests_on_reset() {
        dryRun.send(Map.of("Action", "Info"));
        get(luaUrl("info"));

        simulator.resetCounters();

        assertEquals(0, simulator.calls(Upstream.COMPUTE_UNIT, "Info"));
        assertTrue(simulator.requests(Upstream.COMPUTE_UNIT).isEmpty());
        assertTrue(simulator.requests(Upstream.HYPERBEAM).isEmpty());
    }

    private static String luaUrl(String function) {
        return simulator.hyperbeamUrl() + "/" + simulator.processId() + "~process@1.0/now/~lua@5.3a&module="
                + simulator.moduleId() + "/" + function + "/serialize~json@1.0";
    }
}
