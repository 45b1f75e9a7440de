package com.permamind.gateway.lua;

import static com.permamind.gateway.lua.FixtureOracle.DAY_MS;
import static com.permamind.gateway.lua.FixtureOracle.countWithin;
import static com.permamind.gateway.lua.FixtureOracle.downloadTimes;
import static com.permamind.gateway.lua.LuaQueries.NOW;
import static com.permamind.gateway.lua.LuaQueries.data;
import static com.permamind.gateway.lua.LuaQueries.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GetDownloadStatsLuaTest {

    private static List<Long> allTimesOf(String name) {
        List<Long> times = new ArrayList<>();
        FixtureOracle.skills().get(name).get("versions").forEach(record -> times.addAll(downloadTimes(record)));
        return times;
    }

    @Test
    void should_count_timestamps_exactly_on_the_window_edges() {
        List<Long> times = allTimesOf("window-edges");
        long now = FixtureOracle.now();
        assertTrue(times.contains(now - 7 * DAY_MS) && times.contains(now - 30 * DAY_MS), "the fixture holds both edges");
        assertTrue(times.contains(now - 7 * DAY_MS - 1) && times.contains(now - 30 * DAY_MS - 1));
        JsonNode data = data("get-download-stats", "name", "window-edges", "now", NOW);
        assertEquals(times.size(), data.get("downloadsTotal").asInt());
        assertEquals(countWithin(times, 7), data.get("downloads7Days").asLong());
        assertEquals(countWithin(times, 30), data.get("downloads30Days").asLong());
        assertEquals("window-edges", data.get("skillName").asText());
        assertFalse(data.has("version"), "no version asked: the key is absent, the gateway writes null");
    }

    @Test
    void should_count_every_version_of_every_skill_against_the_oracle() {
        for (String name : FixtureOracle.names()) {
            List<Long> times = allTimesOf(name);
            JsonNode data = data("get-download-stats", "name", name, "now", NOW);
            assertEquals(times.size(), data.get("downloadsTotal").asInt(), name);
            assertEquals(countWithin(times, 7), data.get("downloads7Days").asLong(), name);
            assertEquals(countWithin(times, 30), data.get("downloads30Days").asLong(), name);
        }
    }

    @Test
    void should_count_one_version_when_asked() {
        JsonNode record = FixtureOracle.skills().get("semver-order").get("versions").get("1.9.0");
        JsonNode data = data("get-download-stats", "name", "semver-order", "version", "1.9.0", "now", NOW);
        assertEquals("1.9.0", data.get("version").asText());
        assertEquals(downloadTimes(record).size(), data.get("downloadsTotal").asInt());
        assertEquals(countWithin(downloadTimes(record), 30), data.get("downloads30Days").asLong());
    }

    @Test
    void should_include_only_the_windows_of_the_time_range() {
        JsonNode week = data("get-download-stats", "name", "cron", "timerange", "7", "now", NOW);
        assertTrue(week.has("downloads7Days"));
        assertFalse(week.has("downloads30Days"));
        JsonNode month = data("get-download-stats", "name", "cron", "timerange", "30", "now", NOW);
        assertFalse(month.has("downloads7Days"));
        assertTrue(month.has("downloads30Days"));
        JsonNode all = data("get-download-stats", "name", "cron", "timerange", "all", "now", NOW);
        assertTrue(all.has("downloads7Days") && all.has("downloads30Days") && all.has("downloadsTotal"));
    }

    @Test
    void should_move_the_windows_with_now() {
        long later = FixtureOracle.now() + 1;
        JsonNode data = data("get-download-stats", "name", "window-edges", "now", Long.toString(later));
        List<Long> times = allTimesOf("window-edges");
        assertEquals(times.stream().filter(t -> t >= later - 7 * DAY_MS && t <= later).count(),
                data.get("downloads7Days").asLong());
        assertEquals(countWithin(times, 7) - 1, data.get("downloads7Days").asLong());
    }

    @Test
    void should_answer_not_found_for_an_unknown_skill_or_version() {
        assertEquals("not_found", error("get-download-stats", "name", "ghost", "now", NOW).get("kind").asText());
        assertEquals("not_found",
                error("get-download-stats", "name", "cron", "version", "0.0.1", "now", NOW).get("kind").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"timerange=14", "timerange=ALL", "timerange=", "now=soon", "scope=some", "now="})
    void should_refuse_bad_parameters(String param) {
        String[] kv = param.split("=", -1);
        List<String> req = new ArrayList<>(List.of("name", "cron", "now", NOW));
        req.addAll(List.of(kv[0], kv[1]));
        assertEquals("bad_request", LuaQueries.parse(LuaQueries.MODULE.call("get-download-stats", LuaQueries.STATE,
                LuaQueries.params(req.toArray(String[]::new)))).get("error").get("kind").asText());
    }

    @Test
    void should_require_now() {
        assertEquals("bad_request", error("get-download-stats", "name", "cron").get("kind").asText());
    }
}
