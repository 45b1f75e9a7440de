package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static com.permamind.gateway.simulator.SimulatorTestSupport.fixture;
import static com.permamind.gateway.simulator.SimulatorTestSupport.fixtureConfig;
import static com.permamind.gateway.simulator.SimulatorTestSupport.get;
import static com.permamind.gateway.simulator.SimulatorTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HyperBEAM emulation running the project's own Lua module over the fixture. */
class HyperBeamLuaModuleTest {

    private static final JsonNode SKILLS = fixture().get("skills");
    private static final String NOW = fixture().get("now").asText();

    private static RegistrySimulator nodeFaithful;
    private static RegistrySimulator preDecoded;

    @BeforeAll
    static void startSimulators() {
        nodeFaithful = new RegistrySimulator(fixtureConfig().luaState(LuaStateMode.JSON_STRING).build()).start();
        preDecoded = new RegistrySimulator(fixtureConfig().luaState(LuaStateMode.DECODED).build()).start();
    }

    @AfterAll
    static void stopSimulators() {
        nodeFaithful.stop();
        preDecoded.stop();
    }

    @Test
    void should_answer_get_skill_with_the_latest_record() {
        JsonNode body = json(get(luaUrl(nodeFaithful, "get-skill") + "?name=semver-order"));

        assertTrue(body.get("ok").asBoolean(), body.toString());
        assertEquals("semver-order", body.at("/data/name").asText());
        assertEquals(SKILLS.at("/semver-order/latest").asText(), body.at("/data/version").asText());
    }

    @Test
    void should_pass_mixed_case_query_names_to_the_module_lowercased() {
        JsonNode body = json(get(luaUrl(nodeFaithful, "get-download-stats") + "?Name=cron&TimeRange=all&NOW=" + NOW));

        assertTrue(body.get("ok").asBoolean(), body.toString());
        assertEquals("cron", body.at("/data/skillName").asText());
    }

    @Test
    void should_answer_a_domain_error_as_a_200_json_answer() {
        HttpResponse<String> response = get(luaUrl(nodeFaithful, "get-skill") + "?name=no-such-skill");

        assertEquals(200, response.statusCode());
        JsonNode body = json(response);
        assertFalse(body.get("ok").asBoolean());
        assertEquals("not_found", body.at("/error/kind").asText());
    }

    @Test
    void should_answer_the_same_with_the_state_decoded_once_as_with_the_json_string() {
        for (String call : List.of("info", "search-skills?q=ao&limit=5", "list-skills?tags=ai&limit=100",
                "get-skill-versions?name=semver-order", "get-download-stats?scope=all&now=" + NOW)) {
            String path = call.contains("?") ? call.replaceFirst("\\?", "/serialize~json@1.0?") : call + "/serialize~json@1.0";
            String faithful = get(moduleUrl(nodeFaithful) + path).body();

            assertEquals(faithful, get(moduleUrl(preDecoded) + path).body(), call);
            assertTrue(json(get(moduleUrl(preDecoded) + path)).get("ok").asBoolean(), call);
        }
    }

    private static String luaUrl(RegistrySimulator simulator, String function) {
        return moduleUrl(simulator) + function + "/serialize~json@1.0";
    }

    private static String moduleUrl(RegistrySimulator simulator) {
        return simulator.hyperbeamUrl() + "/" + simulator.processId() + "~process@1.0/now/~lua@5.3a&module="
                + simulator.moduleId() + "/";
    }
}
