package com.permamind.gateway.lua;

import static com.permamind.gateway.lua.LuaQueries.data;
import static com.permamind.gateway.lua.LuaQueries.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GetSkillLuaTest {

    private static final List<String> SKILL_FIELDS = List.of("arweaveTxId", "author", "bundledFiles", "changelog",
            "dependencies", "description", "downloadCount", "name", "owner", "publishedAt", "tags", "updatedAt",
            "version");

    @Test
    void should_answer_the_latest_version_even_when_it_is_not_the_highest() {
        assertEquals("1.9.0", FixtureOracle.skills().get("semver-order").get("latest").asText());
        assertTrue(FixtureOracle.skills().get("semver-order").get("versions").has("1.10.0"));
        assertEquals("1.9.0", data("get-skill", "name", "semver-order").get("version").asText());
    }

    @Test
    void should_answer_the_version_asked_for() {
        JsonNode skill = data("get-skill", "name", "semver-order", "version", "1.10.0");
        JsonNode record = FixtureOracle.skills().get("semver-order").get("versions").get("1.10.0");
        assertEquals("1.10.0", skill.get("version").asText());
        assertEquals(record.get("arweaveTxId"), skill.get("arweaveTxId"));
        assertEquals(record.get("downloadCount"), skill.get("downloadCount"));
    }

    @Test
    void should_answer_the_record_with_its_fields_and_no_timestamps() {
        for (String name : FixtureOracle.names()) {
            JsonNode skill = data("get-skill", "name", name);
            JsonNode record = FixtureOracle.latestRecord(name);
            List<String> fields = new java.util.ArrayList<>();
            skill.fieldNames().forEachRemaining(fields::add);
            assertEquals(SKILL_FIELDS, fields, name);
            for (String field : List.of("name", "description", "author", "owner", "arweaveTxId", "changelog",
                    "tags", "dependencies", "bundledFiles", "downloadCount")) {
                assertEquals(record.get(field), skill.get(field), name + "." + field);
            }
        }
    }

    @Test
    void should_normalise_seconds_era_timestamps_to_milliseconds() {
        JsonNode record = FixtureOracle.latestRecord("legacy-seconds");
        assertTrue(record.get("publishedAt").asLong() < 100_000_000_000L);
        JsonNode skill = data("get-skill", "name", "legacy-seconds");
        assertEquals(record.get("publishedAt").asLong() * 1000, skill.get("publishedAt").asLong());
        assertEquals(record.get("updatedAt").asLong() * 1000, skill.get("updatedAt").asLong());
        assertTrue(skill.get("publishedAt").isIntegralNumber());
    }

    @Test
    void should_keep_unicode_and_escapes_intact() {
        JsonNode skill = data("get-skill", "name", "unicode_skill.v2");
        assertEquals(FixtureOracle.latestRecord("unicode_skill.v2").get("description"), skill.get("description"));
        assertTrue(skill.get("tags").isArray() && skill.get("tags").isEmpty());
    }

    @Test
    void should_answer_not_found_for_an_unknown_skill_or_version() {
        JsonNode unknown = error("get-skill", "name", "no-such-skill");
        assertEquals("not_found", unknown.get("kind").asText());
        assertEquals("Skill 'no-such-skill' not found", unknown.get("message").asText());
        JsonNode version = error("get-skill", "name", "semver-order", "version", "9.9.9");
        assertEquals("not_found", version.get("kind").asText());
        assertEquals("Skill 'semver-order' version '9.9.9' not found", version.get("message").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "tab\there", "nul\u0000", "del\u007f", "c1\u0085"})
    void should_refuse_bad_names(String name) {
        assertEquals("bad_request", error("get-skill", "name", name).get("kind").asText());
    }

    @Test
    void should_allow_128_characters_in_a_name_but_not_129() {
        assertEquals("not_found", error("get-skill", "name", "ü".repeat(128)).get("kind").asText());
        assertEquals("bad_request", error("get-skill", "name", "n".repeat(129)).get("kind").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2", "v1.2.0", "1.2.0-beta", "1..0", "a.b.c", " 1.2.0"})
    void should_refuse_bad_versions(String version) {
        assertEquals("bad_request", error("get-skill", "name", "semver-order", "version", version).get("kind").asText());
    }

    @Test
    void should_refuse_a_call_without_a_name() {
        assertFalse(LuaQueries.parse(LuaQueries.raw("get-skill")).get("ok").asBoolean());
    }
}
