package com.permamind.gateway.lua;

import static com.permamind.gateway.lua.LuaQueries.data;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class InfoLuaTest {

    @Test
    void should_total_skills_and_downloads() {
        long downloads = 0;
        for (String name : FixtureOracle.names()) {
            for (JsonNode record : FixtureOracle.skills().get(name).get("versions")) {
                downloads += record.get("downloadTimestamps").size();
            }
        }
        JsonNode data = data("info");
        assertEquals(FixtureOracle.names().size(), data.get("totalSkills").asInt());
        assertEquals(downloads, data.get("totalDownloads").asLong());
    }
}
