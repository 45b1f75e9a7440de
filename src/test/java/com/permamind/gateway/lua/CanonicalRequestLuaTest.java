package com.permamind.gateway.lua;

import static com.permamind.gateway.lua.LuaQueries.MODULE;
import static com.permamind.gateway.lua.LuaQueries.NOW;
import static com.permamind.gateway.lua.LuaQueries.STATE;
import static com.permamind.gateway.lua.LuaQueries.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.permamind.gateway.lua.ExternalLua.Vector;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaError;

/**
 * canonical-request: each query's request as the module reads it (checked, normalised, with its
 * defaults), which the gateway keys its cache by and sends upstream. A query answers the canonical
 * request exactly as the request it came from, refuses it in the same words, and reads it back
 * unchanged.
 */
class CanonicalRequestLuaTest {

    private static SortedMap<String, String> canonical(String function, String... keyValues) {
        RegistryModule.Canonical read = MODULE.canonical(function, params(keyValues));
        assertNull(read.refusal(), () -> function + " refused " + read.refusal());
        return read.params();
    }

    private static String refusal(String function, String... keyValues) {
        RegistryModule.Canonical read = MODULE.canonical(function, params(keyValues));
        assertEquals("bad_request", read.refusal().kind());
        return read.refusal().message();
    }

    @Test
    void should_apply_the_defaults_of_each_query() {
        assertEquals(Map.of("limit", "20", "offset", "0"), canonical("search-skills"));
        assertEquals(Map.of("limit", "20", "offset", "0"), canonical("list-skills"));
        assertEquals(Map.of("name", "cron", "now", NOW, "timerange", "all"),
                canonical("get-download-stats", "name", "cron", "now", NOW));
        assertEquals(Map.of("scope", "all", "now", NOW, "timerange", "all"),
                canonical("get-download-stats", "scope", "all", "now", NOW));
        assertEquals(Map.of(), canonical("info"));
    }

    @Test
    void should_normalise_text_only_where_the_answer_does_not_show_it() {
        // q is echoed in the answer: trimmed, its case kept
        assertEquals("Lua Tools", canonical("search-skills", "q", " \t Lua Tools\r\n").get("q"));
        SortedMap<String, String> list = canonical("list-skills", "author", "  Grace HOPPER ", "name", " Bundler",
                "tags", " Beginner, ao ,, AO ");
        assertEquals("grace hopper", list.get("author"));
        assertEquals("bundler", list.get("name"));
        assertEquals("ao,ao,beginner", list.get("tags"));
        // a skill's name is matched byte for byte
        assertEquals("Semver-Order ", canonical("get-skill", "name", "Semver-Order ").get("name"));
        assertEquals(Map.of("limit", "7", "offset", "0"), canonical("search-skills", "limit", "007", "offset", "000"));
    }

    @Test
    void should_leave_out_what_keeps_every_skill_and_what_the_query_does_not_take() {
        assertEquals(Map.of("limit", "20", "offset", "0"),
                canonical("list-skills", "author", " ", "name", "", "tags", " , ,", "q", "x", "version", "1.0.0"));
        assertEquals(Map.of("limit", "20", "offset", "0"), canonical("search-skills", "q", "   ", "author", "x"));
        assertEquals(Map.of("scope", "all", "now", NOW, "timerange", "7"),
                canonical("get-download-stats", "scope", "all", "name", "a/b", "version", "x", "now", NOW, "timerange", "7"));
    }

    @Test
    void should_refuse_in_the_words_of_the_query_itself() {
        String[][] bad = {
            {"search-skills", "limit", "0"}, {"search-skills", "q", "x".repeat(257)}, {"list-skills", "offset", "-1"},
            {"list-skills", "tags", "a,b,c,d,e,f,g,h,i,j,k"}, {"get-skill", "name", "a/b"},
            {"get-skill", "name", "cron", "version", "v1"}, {"get-skill-versions", "name", ""},
            {"get-download-stats", "name", "cron", "now", NOW, "timerange", "14"},
            {"get-download-stats", "scope", "some", "now", NOW}, {"get-download-stats", "name", "cron"},
            {"record-download", "name", "tab\tname"},
        };
        for (String[] request : bad) {
            String[] keyValues = java.util.Arrays.copyOfRange(request, 1, request.length);
            JsonNode answer = LuaQueries.error(request[0], keyValues);
            assertEquals(answer.get("message").asText(), refusal(request[0], keyValues), String.join(" ", request));
        }
    }

    @Test
    void should_answer_every_vector_as_its_canonical_request_and_read_that_back_unchanged() {
        int canonicalised = 0;
        for (Vector vector : LuaPortabilityTest.VECTORS) {
            if (vector.function().equals(LuaPortabilityTest.CANONICAL_REQUEST)) {
                continue;
            }
            RegistryModule.Canonical read = MODULE.canonical(vector.function(), vector.req());
            if (read.refusal() != null) {
                JsonNode answer = LuaQueries.parse(MODULE.call(vector.function(), STATE, vector.req()));
                assertEquals(read.refusal().message(), answer.path("error").path("message").asText(), vector.toString());
                continue;
            }
            canonicalised++;
            assertEquals(MODULE.call(vector.function(), STATE, vector.req()),
                    MODULE.call(vector.function(), STATE, read.params()), vector.toString());
            assertEquals(read.params(), MODULE.canonical(vector.function(), read.params()).params(), vector.toString());
        }
        assertTrue(canonicalised > 50, canonicalised + " vectors were read");
    }

    @Test
    void should_fail_loudly_for_a_query_the_module_does_not_have() {
        LuaError error = assertThrows(LuaError.class, () -> MODULE.canonical("skills", new TreeMap<>()));
        assertTrue(error.getMessage().contains("no query skills"), error.getMessage());
    }
}
