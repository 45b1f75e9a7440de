package com.permamind.gateway.lua;

import static com.permamind.gateway.lua.FixtureOracle.foldAscii;
import static com.permamind.gateway.lua.FixtureOracle.namesWhereLatest;
import static com.permamind.gateway.lua.LuaQueries.data;
import static com.permamind.gateway.lua.LuaQueries.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SearchSkillsLuaTest {

    private static List<String> resultNames(JsonNode data) {
        return StreamSupport.stream(data.get("results").spliterator(), false).map(r -> r.get("name").asText()).toList();
    }

    private static List<String> expectedMatches(String query) {
        String needle = foldAscii(query);
        return namesWhereLatest(r -> foldAscii(r.get("name").asText()).contains(needle)
                || foldAscii(r.get("description").asText()).contains(needle)
                || FixtureOracle.tags(r).stream().anyMatch(t -> foldAscii(t).contains(needle)));
    }

    @Test
    void should_match_every_skill_for_an_empty_query_in_name_order() {
        JsonNode data = data("search-skills", "q", "", "limit", "100");
        assertEquals(FixtureOracle.names(), resultNames(data));
        assertEquals(FixtureOracle.names().size(), data.get("total").asInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ao", "AO", "Cache", "lua", "bridge cache", "beginner", "skill:", "日本語"})
    void should_match_name_description_or_a_tag_case_insensitively(String query) {
        JsonNode data = data("search-skills", "q", query, "limit", "100");
        List<String> expected = expectedMatches(query);
        assertFalse(expected.isEmpty(), "the fixture should hold matches for " + query);
        assertEquals(expected, resultNames(data));
        assertEquals(expected.size(), data.get("total").asInt());
        assertEquals(query, data.get("query").asText());
    }

    @Test
    void should_fold_ascii_letters_only() {
        assertEquals(List.of("unicode_skill.v2"), resultNames(data("search-skills", "q", "ÜNïCöDé — 日本語")));
        assertEquals(List.of(), resultNames(data("search-skills", "q", "ünïcödé")));
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "%a", "[", "(", "a.c", "%"})
    void should_treat_the_query_as_plain_text_not_a_pattern(String query) {
        assertEquals(expectedMatches(query), resultNames(data("search-skills", "q", query, "limit", "100")));
    }

    @Test
    void should_trim_the_query() {
        JsonNode data = data("search-skills", "q", "  \tao \n");
        assertEquals("ao", data.get("query").asText());
        assertEquals(expectedMatches("ao").size(), data.get("total").asInt());
    }

    @Test
    void should_page_with_limit_and_offset() {
        List<String> all = FixtureOracle.names();
        assertEquals(all.subList(0, 1), resultNames(data("search-skills", "limit", "1")));
        assertEquals(all.subList(0, 20), resultNames(data("search-skills")));
        assertEquals(all.subList(5, 8), resultNames(data("search-skills", "limit", "3", "offset", "5")));
        JsonNode pastTheEnd = data("search-skills", "offset", "1000");
        assertEquals(List.of(), resultNames(pastTheEnd));
        assertEquals(all.size(), pastTheEnd.get("total").asInt());
        assertEquals(1000, pastTheEnd.get("offset").asInt());
        assertEquals(all, resultNames(data("search-skills", "limit", "100")));
    }

    @Test
    void should_answer_records_without_timestamps_and_with_arrays() {
        String raw = LuaQueries.raw("search-skills", "q", "bridge-cache");
        assertFalse(raw.contains("downloadTimestamps"));
        JsonNode skill = LuaQueries.parse(raw).get("data").get("results").get(0);
        assertTrue(skill.get("tags").isArray());
        assertTrue(skill.get("dependencies").isArray());
        assertEquals(data("get-skill", "name", skill.get("name").asText()), skill);
    }

    @Test
    void should_allow_256_characters_but_not_257() {
        assertEquals(0, data("search-skills", "q", "é".repeat(256)).get("total").asInt());
        assertEquals("bad_request", error("search-skills", "q", "x".repeat(257)).get("kind").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=101", "limit=abc", "limit=-1", "limit=1.5", "limit=", "offset=100001",
        "offset=-3", "offset=1e3"})
    void should_refuse_bad_paging(String param) {
        String[] kv = param.split("=", -1);
        assertEquals("bad_request", error("search-skills", kv[0], kv[1]).get("kind").asText());
    }
}
