package com.permamind.gateway.lua;

import static com.permamind.gateway.lua.LuaQueries.data;
import static com.permamind.gateway.lua.LuaQueries.error;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class RecordDownloadLuaTest {

    @Test
    void should_answer_the_current_count_of_the_latest_version() {
        JsonNode data = data("record-download", "name", "semver-order");
        assertEquals("1.9.0", data.get("version").asText());
        assertEquals(FixtureOracle.latestRecord("semver-order").get("downloadCount").asInt(),
                data.get("downloadCount").asInt());
    }

    @Test
    void should_answer_the_count_of_the_version_given() {
        JsonNode data = data("record-download", "name", "semver-order", "version", "1.10.0");
        assertEquals(3, FixtureOracle.skills().get("semver-order").get("versions").get("1.10.0").get("downloadCount").asInt());
        assertEquals(3, data.get("downloadCount").asInt());
    }

    @Test
    void should_validate_like_the_reads() {
        assertEquals("not_found", error("record-download", "name", "ghost").get("kind").asText());
        assertEquals("not_found", error("record-download", "name", "cron", "version", "7.7.7").get("kind").asText());
        assertEquals("bad_request", error("record-download", "name", "cron", "version", "x").get("kind").asText());
        assertEquals("bad_request", error("record-download", "name", "a/b").get("kind").asText());
    }
}
