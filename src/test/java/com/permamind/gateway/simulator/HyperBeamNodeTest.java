package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaError;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.permamind.gateway.simulator.SimulatorTestSupport.fixture;
import static com.permamind.gateway.simulator.SimulatorTestSupport.fixtureConfig;
import static com.permamind.gateway.simulator.SimulatorTestSupport.get;
import static com.permamind.gateway.simulator.SimulatorTestSupport.isJson;
import static com.permamind.gateway.simulator.SimulatorTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node's calling conventions, seen through a stand-in Lua module that records what it was
 * given; the project's real module is exercised in {@link HyperBeamLuaModuleTest}.
 */
class HyperBeamNodeTest {

    private static final String UPPERCASE_KEYS_RESULT = "{\"OK\":true,\"Data\":{\"KeptAsIs\":1}}";

    private static final List<Call> calls = new CopyOnWriteArrayList<>();
    private static RegistrySimulator simulator;

    record Call(String function, Map<String, String> request) {
    }

    @BeforeAll
    static void startSimulator() {
        LuaReads recordingModule = new LuaReads() {
            @Override
            public boolean hasFunction(String function) {
                return List.of("get-skill", "shout", "crash").contains(function);
            }

            @Override
            public String call(String function, Map<String, String> request) {
                calls.add(new Call(function, request));
                if ("crash".equals(function)) {
                    throw new LuaError("attempt to index a nil value");
                }
                return "shout".equals(function) ? UPPERCASE_KEYS_RESULT : "{\"ok\":true,\"data\":{}}";
            }
        };
        simulator = new RegistrySimulator(fixtureConfig().luaModule(recordingModule).build()).start();
    }

    @AfterAll
    static void stopSimulator() {
        simulator.stop();
    }

    @Test
    void should_call_the_function_named_by_the_path_lowercased() {
        HttpResponse<String> response = get(luaUrl("now", simulator.moduleId(), "Get-SKILL") + "?name=cron");

        assertEquals(200, response.statusCode());
        assertEquals("get-skill", lastCall().function());
    }

    @Test
    void should_pass_query_parameters_with_lowercased_names() {
        get(luaUrl("now", simulator.moduleId(), "get-skill") + "?Name=cron&VERSION=1.2.1&timeRange=7&q=a%20b%26c");

        assertEquals(Map.of("name", "cron", "version", "1.2.1", "timerange", "7", "q", "a b&c"), lastCall().request());
    }

    @Test
    void should_serve_compute_as_well_as_now() {
        assertEquals(200, get(luaUrl("compute", simulator.moduleId(), "get-skill")).statusCode());
        assertEquals(200, get(luaUrl("now", simulator.moduleId(), "get-skill")).statusCode());
    }

    @Test
    void should_accept_percent_encoded_path_segments() {
        String encoded = simulator.hyperbeamUrl() + "/" + simulator.processId() + "%7Eprocess%401.0/now/"
                + "%7Elua%405.3a%26module%3D" + simulator.moduleId() + "/get-skill/serialize%7Ejson%401.0";

        assertEquals(200, get(encoded).statusCode());
    }

    @Test
    void should_lowercase_top_level_keys_of_the_result_only() {
        HttpResponse<String> response = get(luaUrl("now", simulator.moduleId(), "shout"));

        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = json(response);
        assertTrue(body.get("ok").asBoolean());
        assertEquals(1, body.at("/data/KeptAsIs").asInt());
    }

    @Test
    void should_answer_500_html_for_a_lua_runtime_error() {
        HttpResponse<String> response = get(luaUrl("now", simulator.moduleId(), "crash"));

        assertHtmlError(500, "attempt to index a nil value", response);
    }

    @Test
    void should_answer_404_html_for_unknown_module() {
        HttpResponse<String> response = get(luaUrl("now", "AnotherModuleTxId000000000000000000000000000", "get-skill"));

        assertHtmlError(404, "Lua module 'AnotherModuleTxId000000000000000000000000000' not found", response);
    }

    @Test
    void should_answer_404_html_for_unknown_process() {
        HttpResponse<String> response = get(simulator.hyperbeamUrl() + "/someOtherProcess~process@1.0/now/~lua@5.3a&module="
                + simulator.moduleId() + "/get-skill/serialize~json@1.0");

        assertHtmlError(404, "Process 'someOtherProcess' not found", response);
    }

    @Test
    void should_answer_404_html_for_a_function_the_module_lacks() {
        HttpResponse<String> response = get(luaUrl("now", simulator.moduleId(), "drop-skills"));

        assertHtmlError(404, "drop-skills", response);
    }

    @Test
    void should_answer_404_html_for_a_path_without_the_json_serializer() {
        HttpResponse<String> response = get(simulator.hyperbeamUrl() + "/" + simulator.processId()
                + "~process@1.0/now/~lua@5.3a&module=" + simulator.moduleId() + "/get-skill");

        assertEquals(404, response.statusCode());
        assertFalse(isJson(response.body()), response.body());
    }

    @Test
    void should_serve_the_skills_state_as_json() {
        HttpResponse<String> response = get(simulator.hyperbeamUrl() + "/" + simulator.processId() + "~process@1.0/now/skills");

        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals(fixture().get("skills"), json(response));
    }

    static void assertHtmlError(int status, String mentioning, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/html"),
                response.headers().toString());
        assertFalse(isJson(response.body()), response.body());
        assertTrue(response.body().contains(mentioning), response.body());
    }

    private static String luaUrl(String mode, String moduleId, String function) {
        return simulator.hyperbeamUrl() + "/" + simulator.processId() + "~process@1.0/" + mode
                + "/~lua@5.3a&module=" + moduleId + "/" + function + "/serialize~json@1.0";
    }

    private static Call lastCall() {
        return calls.get(calls.size() - 1);
    }
}
