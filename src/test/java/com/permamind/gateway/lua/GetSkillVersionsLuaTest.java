package com.permamind.gateway.lua;

import static com.permamind.gateway.lua.LuaQueries.data;
import static com.permamind.gateway.lua.LuaQueries.error;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class GetSkillVersionsLuaTest {

    private static final Comparator<String> SEMVER_DESCENDING = Comparator.comparing((String v) -> {
        String[] parts = v.split("\\.");
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])};
    }, java.util.Arrays::compare).reversed();

    @Test
    void should_sort_versions_by_semver_descending() {
        JsonNode data = data("get-skill-versions", "name", "semver-order");
        assertEquals(List.of("1.10.0", "1.9.0", "1.2.0"), versions(data));
        assertEquals("1.9.0", data.get("latest").asText());
        assertEquals(3, data.get("total").asInt());
    }

    @Test
    void should_list_every_version_of_every_skill_with_its_summary() {
        for (String name : FixtureOracle.names()) {
            JsonNode entry = FixtureOracle.skills().get(name);
            List<String> expected = new ArrayList<>();
            entry.get("versions").fieldNames().forEachRemaining(expected::add);
            expected.sort(SEMVER_DESCENDING);
            JsonNode data = data("get-skill-versions", "name", name);
            assertEquals(expected, versions(data), name);
            for (JsonNode summary : data.get("versions")) {
                JsonNode record = entry.get("versions").get(summary.get("version").asText());
                assertEquals(record.get("arweaveTxId"), summary.get("arweaveTxId"));
                assertEquals(record.get("changelog"), summary.get("changelog"));
                assertEquals(record.get("downloadCount"), summary.get("downloadCount"));
                assertEquals(FixtureOracle.millis(record.get("updatedAt").asLong()), summary.get("updatedAt").asLong());
                assertEquals(6, summary.size());
            }
        }
    }

    @Test
    void should_answer_not_found_for_an_unknown_skill() {
        assertEquals("not_found", error("get-skill-versions", "name", "nobody").get("kind").asText());
        assertEquals("bad_request", error("get-skill-versions", "name", "a/b").get("kind").asText());
    }

    private static List<String> versions(JsonNode data) {
        return StreamSupport.stream(data.get("versions").spliterator(), false).map(v -> v.get("version").asText()).toList();
    }
}
