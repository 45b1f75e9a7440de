package com.permamind.gateway.simulator;

import static com.permamind.gateway.simulator.HyperBeamNodeTest.assertHtmlError;
import static com.permamind.gateway.simulator.SimulatorTestSupport.MAPPER;
import static com.permamind.gateway.simulator.SimulatorTestSupport.fixtureConfig;
import static com.permamind.gateway.simulator.SimulatorTestSupport.fixturePath;
import static com.permamind.gateway.simulator.SimulatorTestSupport.get;
import static com.permamind.gateway.simulator.SimulatorTestSupport.json;
import static com.permamind.gateway.simulator.SimulatorTestSupport.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.permamind.gateway.lua.RegistryModule;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated node as strict as a real one (contract §3, §4): Luerl 1.3.0's {@code pcall}, a paid
 * node's 402, the node's own per-address limit, and {@code now} costing more than {@code compute}.
 */
class HyperBeamNodeRulesTest {

    // How lua/registry.lua raised its domain errors before Luerl 1.3.0 was tried: a table through pcall.
    private static final String TABLE_RAISING_MODULE = """
            local REJECTION = {}
            _G["get-skill"] = function(base, req)
              local ok, result = pcall(function()
                error(setmetatable({ kind = "not_found", message = "Skill '" .. req.name .. "' not found" }, REJECTION), 0)
              end)
              if getmetatable(result) == REJECTION then
                return { ok = false, error = { kind = result.kind, message = result.message } }
              end
              error(result, 0)
            end
            _G["number-error"] = function(base, req)
              local ok, result = pcall(error, 42)
              return { ok = true, data = { kind = type(result), value = tostring(result) } }
            end
            """;

    @TempDir
    Path dir;
    private RegistrySimulator simulator;

    @AfterEach
    void stop() {
        if (simulator != null) {
            simulator.stop();
        }
    }

    @Test
    void should_turn_a_table_error_value_into_a_string_as_luerl_1_3_does_so_a_table_raising_module_answers_500() throws IOException {
        simulator = start(fixtureConfig().luaModule(tableRaisingModule(LuaSemantics.LUERL_1_3)));

        assertHtmlError(500, "table: ", get(luaUrl("compute", "get-skill") + "?name=ghost"));
        JsonNode numberError = json(get(luaUrl("compute", "number-error")));
        assertEquals("string", numberError.at("/data/kind").asText());
        assertEquals("42", numberError.at("/data/value").asText());
    }

    @Test
    void should_keep_a_table_error_value_under_lua_5_3_semantics() throws IOException {
        simulator = start(fixtureConfig().luaModule(tableRaisingModule(LuaSemantics.LUAJ)));

        HttpResponse<String> answer = get(luaUrl("compute", "get-skill") + "?name=ghost");

        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("Skill 'ghost' not found", json(answer).at("/error/message").asText());
    }

    @Test
    void should_answer_the_project_modules_domain_errors_as_json_under_luerl_1_3_by_default() {
        simulator = start(fixtureConfig());
        assertEquals(LuaSemantics.LUERL_1_3, SimulatorConfig.builder(fixturePath()).build().nodeLua());

        HttpResponse<String> notFound = get(luaUrl("compute", "get-skill") + "?name=ghost");
        HttpResponse<String> badRequest = get(luaUrl("compute", "get-skill") + "?name=a%2Fb");

        assertEquals(200, notFound.statusCode(), notFound.body());
        assertEquals("not_found", json(notFound).at("/error/kind").asText());
        assertEquals(200, badRequest.statusCode(), badRequest.body());
        assertEquals("bad_request", json(badRequest).at("/error/kind").asText());
    }

    @Test
    void should_answer_402_with_price_and_balance_on_a_paid_node_until_it_is_free_again() {
        simulator = start(fixtureConfig());
        simulator.nodeRules(NodeRules.DEFAULT.paid(10, 3));

        HttpResponse<String> refused = get(luaUrl("compute", "get-skill") + "?name=cron");

        assertEquals(402, refused.statusCode());
        assertEquals("application/json", refused.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"body\":\"Insufficient funds\",\"price\":10,\"balance\":3}", refused.body());
        simulator.nodeRules(NodeRules.DEFAULT.paid(10, 10));
        assertEquals(200, get(luaUrl("compute", "get-skill") + "?name=cron").statusCode(), "a balance that covers the price");
    }

    @Test
    void should_answer_429_with_retry_after_over_the_nodes_own_limit_per_address() {
        simulator = start(fixtureConfig().nodeRules(NodeRules.DEFAULT.rateLimited(3, 60_000)));

        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(luaUrl("compute", "info")).statusCode(), "read " + i + " is within the limit");
        }
        HttpResponse<String> limited = get(luaUrl("compute", "info"));

        assertHtmlError(429, "Rate limit exceeded", limited);
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter > 0 && retryAfter <= 60, "Retry-After " + retryAfter);
        simulator.reset();
        assertEquals(200, get(luaUrl("compute", "info")).statusCode(), "no limit once reset to the configured default");
    }

    @Test
    void should_make_a_now_read_cost_its_latency_and_a_compute_read_not() {
        simulator = start(fixtureConfig().nodeRules(NodeRules.DEFAULT.nowLatency(400)));
        get(luaUrl("compute", "info"));

        long computeMillis = millis(luaUrl("compute", "info"));
        long nowMillis = millis(luaUrl("now", "info"));

        assertTrue(nowMillis >= 400, "now answered after " + nowMillis + " ms");
        assertTrue(computeMillis < nowMillis, "compute " + computeMillis + " ms, now " + nowMillis + " ms");
    }

    @Test
    void should_switch_the_rules_over_the_admin_endpoint_of_either_port() {
        simulator = start(fixtureConfig());

        HttpResponse<String> switched = put(simulator.cuUrl() + "/__admin/node", "{\"price\":5}");
        HttpResponse<String> refused = get(luaUrl("compute", "info"));
        HttpResponse<String> bad = put(simulator.hyperbeamUrl() + "/__admin/node", "{\"windowMillis\":0}");

        assertEquals(200, switched.statusCode(), switched.body());
        assertEquals(5, json(switched).get("price").asLong());
        assertEquals(100, json(switched).get("nowLatencyMillis").asLong(), "the fields not named are kept");
        assertEquals(402, refused.statusCode());
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals(5, json(get(simulator.hyperbeamUrl() + "/__admin/node")).get("price").asLong());
    }

    private RegistrySimulator start(SimulatorConfig.Builder config) {
        return new RegistrySimulator(config.build()).start();
    }

    private LuaReads tableRaisingModule(LuaSemantics semantics) throws IOException {
        Path module = Files.writeString(dir.resolve("table-raising.lua"), TABLE_RAISING_MODULE);
        SkillsSnapshot fixture = SkillsSnapshot.load(fixturePath(), MAPPER);
        return ProjectLuaModule.of(RegistryModule.load(module), () -> fixture, LuaStateMode.JSON_STRING, semantics);
    }

    private String luaUrl(String mode, String function) {
        return simulator.hyperbeamUrl() + "/" + simulator.processId() + "~process@1.0/" + mode
                + "/~lua@5.3a&module=" + simulator.moduleId() + "/" + function + "/serialize~json@1.0";
    }

    private static long millis(String url) {
        long start = System.nanoTime();
        assertEquals(200, get(url).statusCode());
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static HttpResponse<String> put(String url, String json) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }
}
