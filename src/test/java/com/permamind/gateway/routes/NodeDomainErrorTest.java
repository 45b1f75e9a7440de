package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.simulator.LuaSemantics;
import com.permamind.gateway.simulator.LuaStateMode;
import com.permamind.gateway.simulator.RecordedRequest;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.SimulatorConfig;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 24's first finding: on a node (Luerl 1.3.0) a module that raised its domain errors as
 * tables turned every unknown skill into a Lua runtime error, HTTP 500, which opened HyperBEAM's
 * breaker within a few reads and sent every read to the dryrun. With the node's Lua as Luerl
 * 1.3.0's, a run of unknown skills must stay domain answers: 404s from HyperBEAM, a closed
 * breaker, no dry-run.
 */
class NodeDomainErrorTest {

    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        RegistrySimulator simulator = new RegistrySimulator(SimulatorConfig.builder(RegistryFixture.defaultPath())
                .pinNowToStateFile().luaState(LuaStateMode.JSON_STRING).nodeLua(LuaSemantics.LUERL_1_3).build()).start();
        // the shipped breaker settings (a window of 20, opening at 50 % failures after 5 calls);
        // no cache, so that every read reaches the node
        gateway = GatewayHarness.start(simulator, Map.of("cache.enabled", "false"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void should_keep_the_breaker_closed_and_make_no_dry_run_over_20_unknown_skills_in_a_row() {
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> answer = gateway.get("/api/skills/no-such-skill-" + i);

            assertEquals(404, answer.statusCode(), answer.body());
            assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElse(null));
            assertTrue(answer.body().contains("Skill 'no-such-skill-" + i + "' not found"), answer.body());
            assertEquals("hyperbeam", GatewayHarness.source(answer), "read " + i);
        }

        CircuitBreaker breaker = gateway.context().getRegistry().lookupByNameAndType("hyperbeamBreaker", CircuitBreaker.class);
        assertEquals(CircuitBreaker.State.CLOSED, breaker.getState());
        assertEquals(0, breaker.getMetrics().getNumberOfFailedCalls());
        assertEquals(20, gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill"));
        assertEquals(Map.of(), gateway.simulator().calls(Upstream.COMPUTE_UNIT), "no dry-run");
        // hyperbeam.mode's default
        assertTrue(gateway.simulator().requests(Upstream.HYPERBEAM).stream().map(RecordedRequest::path)
                .allMatch(path -> path.contains("~process@1.0/compute/")));
    }
}
