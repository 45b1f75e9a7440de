package com.permamind.gateway.lua;

import static com.permamind.gateway.lua.LuaQueries.FIXTURE;
import static com.permamind.gateway.lua.LuaQueries.MODULE;
import static com.permamind.gateway.lua.LuaQueries.NOW;
import static com.permamind.gateway.lua.LuaQueries.STATE;
import static com.permamind.gateway.lua.LuaQueries.params;
import static com.permamind.gateway.lua.LuaQueries.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A state built a skill at a time (the dry-run snapshot's way) answers every query as the same
 * state decoded from its whole JSON text: the fixture's edge cases (unicode, null fields, arrays,
 * numbers, several versions) through the real module.
 */
class StateBuilderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aStateBuiltSkillBySkillAnswersAsTheDecodedOne() throws IOException {
        RegistryModule.StateBuilder builder = MODULE.stateBuilder();
        for (Map.Entry<String, JsonNode> skill : FIXTURE.skills().properties()) {
            builder.put(skill.getKey(), JSON.treeAsTokens(skill.getValue()));
        }
        RegistryState built = builder.build();
        assertEquals(STATE.skillCount(), built.skillCount());

        List<Map<String, String>> queries = new ArrayList<>(List.of(
                params("function", "info"),
                params("function", "search-skills", "q", ""),
                params("function", "search-skills", "q", "a"),
                params("function", "list-skills", "limit", "100"),
                params("function", "list-skills", "limit", "7", "offset", "3"),
                params("function", "get-download-stats", "scope", "all", "now", NOW)));
        for (Map.Entry<String, JsonNode> skill : FIXTURE.skills().properties()) {
            String name = skill.getKey();
            queries.add(params("function", "get-skill", "name", name));
            queries.add(params("function", "get-skill-versions", "name", name));
            queries.add(params("function", "get-download-stats", "name", name, "now", NOW));
        }
        int answered = 0;
        for (Map<String, String> query : queries) {
            String function = query.remove("function");
            String expected = MODULE.call(function, STATE, query);
            assertEquals(expected, MODULE.call(function, built, query), function + " " + query);
            answered += parse(expected).path("ok").asBoolean() ? 1 : 0;
        }
        // the comparison means something only if most queries found what they asked for
        assertTrue(answered > queries.size() * 3 / 4, answered + " of " + queries.size() + " answered ok");
    }
}
