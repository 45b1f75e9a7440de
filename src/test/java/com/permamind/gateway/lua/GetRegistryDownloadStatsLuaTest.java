package com.permamind.gateway.lua;

import static com.permamind.gateway.lua.FixtureOracle.countWithin;
import static com.permamind.gateway.lua.FixtureOracle.downloadTimes;
import static com.permamind.gateway.lua.LuaQueries.NOW;
import static com.permamind.gateway.lua.LuaQueries.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The route get-registry-download-stats: the module's get-download-stats with scope=all. */
class GetRegistryDownloadStatsLuaTest {

    private static List<Long> allTimes() {
        List<Long> times = new ArrayList<>();
        FixtureOracle.names().forEach(name -> FixtureOracle.skills().get(name).get("versions")
                .forEach(record -> times.addAll(downloadTimes(record))));
        return times;
    }

    @Test
    void should_aggregate_all_skills_for_scope_all() {
        List<Long> times = allTimes();
        JsonNode data = data("get-download-stats", "scope", "all", "now", NOW);
        assertEquals(FixtureOracle.names().size(), data.get("totalSkills").asInt());
        assertEquals(times.size(), data.get("downloadsTotal").asInt());
        assertEquals(countWithin(times, 7), data.get("downloads7Days").asLong());
        assertEquals(countWithin(times, 30), data.get("downloads30Days").asLong());
        assertTrue(countWithin(times, 7) > 0);
    }

    @Test
    void should_include_only_the_windows_of_the_time_range() {
        JsonNode week = data("get-download-stats", "scope", "all", "timerange", "7", "now", NOW);
        assertTrue(week.has("downloads7Days"));
        assertFalse(week.has("downloads30Days"));
        JsonNode month = data("get-download-stats", "scope", "all", "timerange", "30", "now", NOW);
        assertFalse(month.has("downloads7Days"));
        assertTrue(month.has("downloads30Days"));
    }

    @Test
    void should_ignore_a_skill_name_beside_scope_all() {
        assertEquals(data("get-download-stats", "scope", "all", "now", NOW),
                data("get-download-stats", "scope", "all", "name", "a/b", "version", "x", "now", NOW));
    }

    @Test
    void should_refuse_any_other_scope() {
        assertEquals("bad_request", LuaQueries.error("get-download-stats", "scope", "some", "now", NOW)
                .get("kind").asText());
    }
}
