package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.simulator.LuaReads;
import com.permamind.gateway.simulator.NodeRules;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.SimulatorConfig;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaError;

/**
 * What real nodes answer besides 200 JSON (contract §4), as the simulator's node answers it over
 * HTTP: each is a failure of that node, so the read goes to the dryrun, and a node that asked to
 * be left alone for a while ({@code Retry-After}) is not called before then.
 */
class NodeAnswersTest {

    private static final String CRASHING_SKILL = "semver-order";
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        // the project's module on the node, except that it lacks get-skill-versions (the node's
        // 404 page) and fails with a Lua error on one skill (its 500 page)
        RegistryModule module = RegistryModule.load();
        String skillsJson = RegistryFixture.load().skillsJson();
        LuaReads node = new LuaReads() {
            @Override
            public boolean hasFunction(String function) {
                return module.hasFunction(function) && !"get-skill-versions".equals(function);
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
                .pinNowToStateFile().luaModule(node).build()).start();
        // a breaker that never opens here, so each read meets the node's answer itself
        gateway = GatewayHarness.start(simulator, Map.of("cache.enabled", "false",
                "hyperbeam.breaker.minimum-number-of-calls", "1000", "hyperbeam.breaker.sliding-window-size", "1000"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @AfterEach
    void heal() {
        gateway.simulator().reset();
    }

    @Test
    void should_fall_back_when_the_node_answers_its_404_page() {
        assertFallsBackAfterOneNodeCall("/api/skills/cron/versions", "get-skill-versions");
    }

    @Test
    void should_fall_back_when_the_node_answers_its_500_page() {
        assertFallsBackAfterOneNodeCall("/api/skills/" + CRASHING_SKILL, "get-skill");
    }

    @Test
    void should_fall_back_when_a_paid_node_answers_402() {
        gateway.simulator().nodeRules(NodeRules.DEFAULT.paid(100, 0));

        assertFallsBackAfterOneNodeCall("/api/skills/cron", "get-skill");
    }

    @Test
    void should_not_call_a_node_again_before_its_retry_after() throws Exception {
        gateway.simulator().nodeRules(NodeRules.DEFAULT.rateLimited(1, 2000));
        assertEquals("hyperbeam", GatewayHarness.source(gateway.get("/api/skills/cron")), "within the node's limit");

        HttpResponse<String> limited = gateway.get("/api/skills/cron");
        long limitedAt = System.nanoTime();
        HttpResponse<String> resting = gateway.get("/api/skills/bridge-cache");

        assertEquals("dryrun", GatewayHarness.source(limited), "a 429 is a failure of the node");
        assertEquals(200, resting.statusCode(), resting.body());
        assertEquals("dryrun", GatewayHarness.source(resting));
        assertEquals(2, gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill"),
                "no call to the node within its Retry-After (2 s)");

        HttpResponse<String> after = gateway.awaitSource("/api/skills/bridge-cache", "hyperbeam", 5000);
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
}
