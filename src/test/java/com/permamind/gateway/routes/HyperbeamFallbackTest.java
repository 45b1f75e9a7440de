package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.simulator.DryRunLimits;
import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.FaultMode;
import com.permamind.gateway.simulator.LuaReads;
import com.permamind.gateway.simulator.NodeRules;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.SimulatorConfig;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.luaj.vm2.LuaError;

/**
 * Every way a HyperBEAM node fails ends in the dryrun's answer, never in an error for the user:
 * the faults in front of the node, and what real nodes answer besides 200 JSON (contract §4) as the
 * simulator's node answers it. A node that asked to be left alone for a while ({@code Retry-After})
 * is not called before then.
 */
class HyperbeamFallbackTest {

    private static final String CRASHING_SKILL = "cron";
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        // the project's module on the node, except that it lacks get-download-stats (the node's
        // 404 page) and fails with a Lua error on one skill (its 500 page)
        RegistryModule module = RegistryModule.load();
        String skillsJson = RegistryFixture.load().skillsJson();
        LuaReads node = new LuaReads() {
            @Override
            public boolean hasFunction(String function) {
                return module.hasFunction(function) && !"get-download-stats".equals(function);
            }

            @Override
            public String call(String function, Map<String, String> request) {
                if (CRASHING_SKILL.equals(request.get("name"))) {
                    throw new LuaError("attempt to compare number with nil");
                }
                return module.callWithJsonState(function, skillsJson, request);
            }
        };
        RegistrySimulator simulator = new RegistrySimulator(SimulatorConfig.builder(RegistryFixture.defaultPath())
                .pinNowToStateFile().luaModule(node).computeUnitLimits(DryRunLimits.Settings.UNLIMITED).build()).start();
        // a breaker that never opens here, so each request meets the fault itself; a limit longer
        // than the Retry-After (1 s) of the simulator's 429 and 503, so that a retry would show
        gateway = GatewayHarness.start(simulator, GatewayHarness.withOwnComputeUnit(Map.of("cache.enabled", "false",
                "hyperbeam.timeout-millis", "2000", "hyperbeam.breaker.minimum-number-of-calls", "1000",
                "hyperbeam.breaker.sliding-window-size", "1000")));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @AfterEach
    void heal() {
        gateway.simulator().reset();
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("HTTP 500", Fault.status(500)),
                Arguments.of("HTTP 502", Fault.status(502)),
                Arguments.of("HTTP 503", Fault.status(503)),
                Arguments.of("HTTP 402 (paid node)", Fault.status(402)),
                Arguments.of("HTTP 429", Fault.status(429)),
                Arguments.of("HTTP 404 (module or process missing)", Fault.status(404)),
                Arguments.of("a body that is not JSON", Fault.nonJsonBody()),
                Arguments.of("a JSON body that is not {ok, data | error}", Fault.status(200, "{\"data\":{}}")),
                Arguments.of("a truncated body", Fault.truncatedBody()),
                Arguments.of("connection refused", Fault.connectionRefused()),
                Arguments.of("a node that never answers", Fault.hang()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void should_fall_back_to_dryrun_when_hyperbeam_fails(String description, Fault fault) throws InterruptedException {
        // the simulator's 429 and 503 carry Retry-After: 1, which the gateway honours
        HttpResponse<String> healthy = gateway.awaitSource("/api/skills/semver-order/versions", "hyperbeam", 3000);
        gateway.simulator().resetCounters();
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(fault);

        HttpResponse<String> answer = gateway.get("/api/skills/semver-order/versions");

        assertEquals(200, answer.statusCode(), description);
        assertEquals("dryrun", answer.headers().firstValue("X-Registry-Source").orElse(null), description);
        assertEquals(healthy.body(), answer.body(), description);
        assertTrue(gateway.simulator().calls(Upstream.COMPUTE_UNIT, "Get-Skill-Versions") > 0);
        // one call and no retry, which would hide a failing node from the breaker (an HTTP client
        // may retry a 429 or 503 on its own)
        assertEquals(fault.mode() == FaultMode.CONNECTION_REFUSED ? 0 : 1,
                gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill-versions"), description);
    }

    @Test
    void should_fall_back_when_the_node_answers_its_404_page() {
        assertFallsBackAfterOneNodeCall("/api/skills/semver-order/downloads", "get-download-stats");
    }

    @Test
    void should_fall_back_when_the_node_answers_its_500_page() {
        assertFallsBackAfterOneNodeCall("/api/skills/" + CRASHING_SKILL, "get-skill");
    }

    @Test
    void should_fall_back_when_a_paid_node_answers_402() {
        gateway.simulator().nodeRules(NodeRules.DEFAULT.paid(100, 0));

        assertFallsBackAfterOneNodeCall("/api/skills/bridge-cache", "get-skill");
    }

    @Test
    void should_not_call_a_node_again_before_its_retry_after() throws Exception {
        // a window long enough that the second read falls in it however slow the machine is
        gateway.simulator().nodeRules(NodeRules.DEFAULT.rateLimited(1, 4000));
        assertEquals("hyperbeam", GatewayHarness.source(gateway.get("/api/skills/semver-order")), "within the node's limit");

        HttpResponse<String> limited = gateway.get("/api/skills/semver-order");
        long limitedAt = System.nanoTime();
        HttpResponse<String> resting = gateway.get("/api/skills/bridge-cache");

        assertEquals("dryrun", GatewayHarness.source(limited), "a 429 is a failure of the node");
        assertEquals(200, resting.statusCode(), resting.body());
        assertEquals("dryrun", GatewayHarness.source(resting));
        assertEquals(2, gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill"),
                "no call to the node within its Retry-After");

        HttpResponse<String> after = gateway.awaitSource("/api/skills/bridge-cache", "hyperbeam", 9000);
        long waitedMillis = (System.nanoTime() - limitedAt) / 1_000_000;
        assertEquals(200, after.statusCode());
        assertTrue(waitedMillis >= 1000, "the node was called again after " + waitedMillis + " ms");
    }

    private static void assertFallsBackAfterOneNodeCall(String path, String function) {
        HttpResponse<String> answer = gateway.get(path);

        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("dryrun", GatewayHarness.source(answer));
        assertEquals(1, gateway.simulator().calls(Upstream.HYPERBEAM, function), "one call, no retry");
    }

    @Test
    void should_answer_503_with_retry_after_when_both_tiers_fail() throws InterruptedException {
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.status(500));
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).inject(Fault.status(503));

        HttpResponse<String> answer = gateway.get("/api/skills/search?q=ao");

        assertEquals(503, answer.statusCode());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElse(null));
        assertTrue(answer.headers().firstValue("Retry-After").isPresent());
        assertTrue(answer.body().contains("\"status\":503"), answer.body());
        assertTrue(!answer.body().contains("Exception") && !answer.body().contains("at com."), answer.body());
        // the compute unit's 503 asked for a second's pause (Retry-After: 1), which the gateway keeps
        Thread.sleep(1_100 * Long.parseLong(answer.headers().firstValue("Retry-After").orElse("1")));
    }

    @Test
    void should_not_fall_back_on_a_domain_answer() {
        HttpResponse<String> answer = gateway.get("/api/skills/no-such-skill");

        assertEquals(404, answer.statusCode());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElse(null));
        assertEquals(1, gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill"));
        assertEquals(0, gateway.simulator().calls(Upstream.COMPUTE_UNIT).values().stream().mapToLong(Long::longValue).sum());
    }
}
