package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static com.permamind.gateway.simulator.DryRunClient.data;
import static com.permamind.gateway.simulator.DryRunClient.tag;
import static com.permamind.gateway.simulator.SimulatorTestSupport.fixture;
import static com.permamind.gateway.simulator.SimulatorTestSupport.fixtureConfig;
import static com.permamind.gateway.simulator.SimulatorTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compute unit's dryrun of the registry process, checked against facts read from the fixture: a
 * unit without the per-address limit and with one walk order, so that each handler is seen alone
 * (ComputeUnitLimitsTest covers the limits and the changing order).
 */
class ComputeUnitDryRunTest {

    private static final long DAY = 86_400_000L;
    private static final JsonNode FIXTURE = fixture();
    private static final long NOW = FIXTURE.get("now").asLong();
    private static final JsonNode SKILLS = FIXTURE.get("skills");

    private static RegistrySimulator simulator;
    private static DryRunClient dryRun;

    @BeforeAll
    static void startSimulator() {
        simulator = new RegistrySimulator(fixtureConfig().computeUnitLimits(DryRunLimits.Settings.UNLIMITED)
                .stablePairsOrder(true).build()).start();
        dryRun = new DryRunClient(simulator);
    }

    @AfterAll
    static void stopSimulator() {
        simulator.stop();
    }

    @Test
    void should_reply_with_ao_message_tags_addressed_to_the_sender() {
        JsonNode reply = dryRun.reply(Map.of("Action", "Info"));

        assertEquals("Info-Response", tag(reply, "Action"));
        assertEquals("ao", tag(reply, "Data-Protocol"));
        assertEquals("ao.TN.1", tag(reply, "Variant"));
        assertEquals("Message", tag(reply, "Type"));
        assertTrue(tag(reply, "Reference").matches("\\d+"));
        assertEquals("1234", reply.get("Target").asText());
        assertTrue(reply.has("Anchor"));
        JsonNode info = data(reply);
        assertEquals("1.0", info.at("/process/adpVersion").asText());
        assertTrue(handlerNames(info).containsAll(List.of("Search-Skills", "List-Skills", "Get-Skill",
                "Get-Skill-Versions", "Get-Download-Stats", "Record-Download")));
    }

    @Test
    void should_answer_the_dryrun_result_shape() {
        JsonNode result = json(dryRun.send(Map.of("Action", "Info")));

        assertTrue(result.get("Messages").isArray());
        assertTrue(result.get("Spawns").isArray());
        assertTrue(result.has("Output"));
    }

    @Test
    void should_search_latest_records_with_download_timestamps_and_a_result_count() {
        JsonNode reply = dryRun.reply(Map.of("Action", "Search-Skills", "Query", "ao"));
        JsonNode results = data(reply);

        assertEquals("Search-Results", tag(reply, "Action"));
        assertEquals(expectedSearch("ao"), names(results));
        assertEquals(String.valueOf(results.size()), tag(reply, "ResultCount"));
        for (JsonNode record : results) {
            assertEquals(latest(record.get("name").asText()), record, "the latest record, downloadTimestamps included");
        }
    }

    @Test
    void should_match_every_skill_for_an_empty_search_query() {
        JsonNode results = data(dryRun.reply(Map.of("Action", "Search-Skills", "Query", "")));

        assertEquals(fieldNames(SKILLS), names(results));
    }

    @Test
    void should_fold_only_ascii_letters_in_search() {
        assertEquals(Set.of("unicode_skill.v2"), searchNames("UNICODE_SKILL"));
        assertEquals(Set.of("unicode_skill.v2"), searchNames("Ünïcödé"));
        assertEquals(Set.of(), searchNames("üNÏCÖDÉ"), "non-ASCII letters compare byte for byte");
    }

    @Test
    void should_search_plain_substrings_not_patterns() {
        assertEquals(expectedSearch("-.*"), searchNames("-.*"));
        assertEquals(expectedSearch("%a"), searchNames("%a"));
        assertEquals(Set.of(), searchNames("-.*"));
    }

    @Test
    void should_search_inside_tags() {
        JsonNode crossTag = latest("nft-dex").get("tags");
        String tag = crossTag.get(0).asText();

        assertTrue(searchNames(tag.toUpperCase()).contains("nft-dex"));
        assertEquals(expectedSearch(tag), searchNames(tag.toUpperCase()));
    }

    @Test
    void should_return_search_results_in_no_sorted_order() {
        List<String> order = new ArrayList<>();
        data(dryRun.reply(Map.of("Action", "Search-Skills", "Query", ""))).forEach(record -> order.add(record.get("name").asText()));

        assertNotEquals(order.stream().sorted().toList(), order, "the process gives pairs order, the gateway must sort");
    }

    @Test
    void should_vary_json_key_order_between_replies() {
        Set<List<String>> keyOrders = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            keyOrders.add(new ArrayList<>(fieldNamesInOrder(data(dryRun.reply(Map.of("Action", "Get-Skill", "Name", "cron"))))));
        }

        assertTrue(keyOrders.size() > 1, "key orders seen: " + keyOrders);
    }

    @Test
    void should_list_ten_skills_by_default_with_pagination() {
        JsonNode list = data(dryRun.reply(Map.of("Action", "List-Skills")));
        int total = SKILLS.size();

        assertEquals(10, list.get("skills").size());
        assertEquals(total, list.at("/pagination/total").asInt());
        assertEquals(10, list.at("/pagination/limit").asInt());
        assertEquals(0, list.at("/pagination/offset").asInt());
        assertEquals(10, list.at("/pagination/returned").asInt());
        assertTrue(list.at("/pagination/hasNextPage").asBoolean());
        assertFalse(list.at("/pagination/hasPrevPage").asBoolean());
    }

    @Test
    void should_page_through_every_skill_exactly_once() {
        Set<String> seen = new TreeSet<>();
        int pages = 0;
        for (int offset = 0; offset < SKILLS.size(); offset += 7, pages++) {
            JsonNode page = data(dryRun.reply(Map.of("Action", "List-Skills", "Limit", "7", "Offset", String.valueOf(offset))));
            page.get("skills").forEach(record -> assertTrue(seen.add(record.get("name").asText()), "seen twice"));
            assertEquals(offset > 0, page.at("/pagination/hasPrevPage").asBoolean());
        }

        assertEquals(fieldNames(SKILLS), seen);
        assertEquals((SKILLS.size() + 6) / 7, pages);
    }

    @Test
    void should_clamp_the_list_limit_to_1_and_100() {
        assertEquals(100, data(dryRun.reply(Map.of("Action", "List-Skills", "Limit", "500"))).at("/pagination/limit").asInt());
        JsonNode one = data(dryRun.reply(Map.of("Action", "List-Skills", "Limit", "0")));
        assertEquals(1, one.at("/pagination/limit").asInt());
        assertEquals(1, one.get("skills").size());
    }

    @Test
    void should_and_the_list_filters() {
        JsonNode list = data(dryRun.reply(Map.of("Action", "List-Skills", "Limit", "100",
                "Author", "AO TEAM", "FilterTags", "[\"AI\"]", "FilterName", "WALLET")));

        Set<String> expected = latestRecords().stream()
                .filter(record -> record.get("author").asText().equalsIgnoreCase("ao team"))
                .filter(record -> textValues(record.get("tags")).stream().anyMatch("ai"::equalsIgnoreCase))
                .map(record -> record.get("name").asText())
                .filter(name -> name.contains("wallet"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertFalse(expected.isEmpty(), "the fixture should hold a skill matching all three filters");
        assertEquals(expected, names(list.get("skills")));
        assertEquals(expected.size(), list.at("/pagination/total").asInt());
    }

    @Test
    void should_require_every_listed_tag() {
        JsonNode list = data(dryRun.reply(Map.of("Action", "List-Skills", "Limit", "100", "FilterTags", "[\"ai\",\"defi\"]")));

        Set<String> expected = latestRecords().stream()
                .filter(record -> textValues(record.get("tags")).containsAll(List.of("ai", "defi")))
                .map(record -> record.get("name").asText())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, names(list.get("skills")));
    }

    @Test
    void should_find_the_latest_skill_record_or_the_version_asked() {
        JsonNode latestReply = dryRun.reply(Map.of("Action", "Get-Skill", "Name", "semver-order"));
        JsonNode versionReply = dryRun.reply(Map.of("Action", "Get-Skill", "Name", "semver-order", "Version", "1.10.0"));

        assertEquals("Skill-Found", tag(latestReply, "Action"));
        assertEquals(latest("semver-order"), data(latestReply));
        assertEquals(SKILLS.at("/semver-order/versions/1.10.0"), data(versionReply));
    }

    @Test
    void should_answer_an_error_for_an_unknown_skill_or_version() {
        JsonNode unknownSkill = dryRun.reply(Map.of("Action", "Get-Skill", "Name", "no-such-skill"));
        JsonNode unknownVersion = dryRun.reply(Map.of("Action", "Get-Skill", "Name", "cron", "Version", "9.9.9"));

        assertEquals("Error", tag(unknownSkill, "Action"));
        assertEquals("Skill 'no-such-skill' not found", tag(unknownSkill, "Error"));
        assertEquals("Error", tag(unknownVersion, "Action"));
        assertEquals("Skill 'cron' version '9.9.9' not found", tag(unknownVersion, "Error"));
    }

    @Test
    void should_list_version_strings_with_the_latest() {
        JsonNode reply = dryRun.reply(Map.of("Action", "Get-Skill-Versions", "Name", "semver-order"));
        JsonNode versions = data(reply);

        assertEquals("Skill-Versions", tag(reply, "Action"));
        assertEquals("semver-order", versions.get("name").asText());
        assertEquals(SKILLS.at("/semver-order/latest").asText(), versions.get("latest").asText());
        assertEquals(fieldNames(SKILLS.at("/semver-order/versions")), new TreeSet<>(textValues(versions.get("versions"))));
        assertEquals("Skill 'nope' not found",
                tag(dryRun.reply(Map.of("Action", "Get-Skill-Versions", "Name", "nope")), "Error"));
    }

    @Test
    void should_count_downloads_of_every_version_in_millisecond_windows() {
        JsonNode stats = data(dryRun.reply(Map.of("Action", "Get-Download-Stats", "Name", "cron")));
        List<JsonNode> records = new ArrayList<>();
        SKILLS.get("cron").get("versions").elements().forEachRemaining(records::add);

        assertEquals("cron", stats.get("skillName").asText());
        assertTrue(stats.get("version").isNull());
        assertEquals(records.stream().mapToInt(r -> r.get("downloadTimestamps").size()).sum(),
                stats.get("downloadsTotal").asInt());
        assertEquals(countWithin(records, 7), stats.get("downloads7Days").asLong());
        assertEquals(countWithin(records, 30), stats.get("downloads30Days").asLong());
        assertTrue(stats.get("downloads7Days").asLong() > 0, "a seconds-based window would count nothing");
    }

    @Test
    void should_count_window_edges_inclusively() {
        JsonNode stats = data(dryRun.reply(Map.of("Action", "Get-Download-Stats", "Name", "window-edges")));
        List<JsonNode> records = List.of(latest("window-edges"));

        assertEquals(countWithin(records, 7), stats.get("downloads7Days").asLong());
        assertEquals(countWithin(records, 30), stats.get("downloads30Days").asLong());
    }

    @Test
    void should_include_only_the_windows_of_the_time_range() {
        JsonNode seven = data(dryRun.reply(Map.of("Action", "Get-Download-Stats", "Name", "cron", "TimeRange", "7")));
        JsonNode thirty = data(dryRun.reply(Map.of("Action", "Get-Download-Stats", "Name", "cron", "TimeRange", "30")));

        assertTrue(seven.has("downloads7Days"));
        assertFalse(seven.has("downloads30Days"));
        assertTrue(thirty.has("downloads30Days"));
        assertFalse(thirty.has("downloads7Days"));
        assertTrue(seven.has("downloadsTotal"));
    }

    @Test
    void should_count_downloads_of_a_given_version() {
        JsonNode stats = data(dryRun.reply(Map.of("Action", "Get-Download-Stats", "Name", "semver-order", "Version", "1.10.0")));
        JsonNode record = SKILLS.at("/semver-order/versions/1.10.0");

        assertEquals("1.10.0", stats.get("version").asText());
        assertEquals(record.get("downloadTimestamps").size(), stats.get("downloadsTotal").asInt());
    }

    @Test
    void should_aggregate_download_stats_over_every_version() {
        JsonNode stats = data(dryRun.reply(Map.of("Action", "Get-Download-Stats", "Scope", "all")));
        List<JsonNode> everyVersion = new ArrayList<>();
        SKILLS.forEach(entry -> entry.get("versions").forEach(everyVersion::add));

        assertEquals(SKILLS.size(), stats.get("totalSkills").asInt());
        assertEquals(everyVersion.stream().mapToInt(record -> record.get("downloadTimestamps").size()).sum(),
                stats.get("downloadsTotal").asInt());
        assertEquals(countWithin(everyVersion, 7), stats.get("downloads7Days").asLong());
        assertEquals(countWithin(everyVersion, 30), stats.get("downloads30Days").asLong());
    }

    @Test
    void should_word_download_stats_errors_differently_from_get_skill() {
        assertEquals("Skill not found: nope",
                tag(dryRun.reply(Map.of("Action", "Get-Download-Stats", "Name", "nope")), "Error"));
        assertEquals("Version not found: 9.9.9",
                tag(dryRun.reply(Map.of("Action", "Get-Download-Stats", "Name", "cron", "Version", "9.9.9")), "Error"));
        assertEquals("Name parameter required for per-skill stats",
                tag(dryRun.reply(Map.of("Action", "Get-Download-Stats")), "Error"));
    }

    @Test
    void should_treat_timestamps_below_10_to_the_11_as_seconds(@TempDir Path directory) throws IOException {
        long now = 1_763_769_600_000L;
        long sixDaysAgoInSeconds = (now - 6 * DAY) / 1000;
        long eightDaysAgoInSeconds = (now - 8 * DAY) / 1000;
        Path state = directory.resolve("seconds-state.json");
        Files.writeString(state, """
                {"now": %d, "skills": {"old": {"latest": "1.0.0", "versions": {"1.0.0": {
                  "name": "old", "version": "1.0.0", "downloadCount": 2, "downloadTimestamps": [%d, %d]}}}}}
                """.formatted(now, sixDaysAgoInSeconds, eightDaysAgoInSeconds));

        try (RegistrySimulator secondsSimulator = new RegistrySimulator(
                SimulatorConfig.builder(state).pinNowToStateFile().build()).start()) {
            JsonNode stats = data(new DryRunClient(secondsSimulator).reply(Map.of("Action", "Get-Download-Stats", "Name", "old")));

            assertEquals(2, stats.get("downloadsTotal").asInt());
            assertEquals(1, stats.get("downloads7Days").asInt());
            assertEquals(2, stats.get("downloads30Days").asInt());
        }
    }

    @Test
    void should_follow_the_clock_pinned_or_released_through_the_handle() {
        List<JsonNode> everyVersion = new ArrayList<>();
        SKILLS.forEach(entry -> entry.get("versions").forEach(everyVersion::add));
        try {
            simulator.pinNow(NOW - 200 * DAY);
            assertEquals(countWithin(everyVersion, 30, NOW - 200 * DAY),
                    data(dryRun.reply(Map.of("Action", "Get-Download-Stats", "Scope", "all"))).get("downloads30Days").asLong());

            simulator.useSystemClock();
            long before = System.currentTimeMillis();
            long counted = data(dryRun.reply(Map.of("Action", "Get-Download-Stats", "Scope", "all"))).get("downloads30Days").asLong();
            long after = System.currentTimeMillis();
            assertTrue(countWithin(everyVersion, 30, after) <= counted && counted <= countWithin(everyVersion, 30, before));
        } finally {
            simulator.pinNow(NOW);
        }
    }

    @Test
    void should_report_the_download_count_a_record_would_reach_without_persisting_it() {
        int stored = latest("cron").get("downloadTimestamps").size();

        JsonNode first = dryRun.reply(Map.of("Action", "Record-Download", "Name", "cron"));
        JsonNode second = dryRun.reply(Map.of("Action", "Record-Download", "Name", "cron"));

        assertEquals("Download-Recorded", tag(first, "Action"));
        assertEquals(String.valueOf(stored + 1), tag(first, "DownloadCount"));
        assertEquals(String.valueOf(stored + 1), tag(second, "DownloadCount"), "a dryrun does not persist");
    }

    @Test
    void should_send_no_message_for_a_download_of_an_unknown_skill() {
        assertEquals(0, dryRun.messages(Map.of("Action", "Record-Download", "Name", "no-such-skill")).size());
    }

    @Test
    void should_send_no_message_for_an_unknown_action() {
        assertEquals(0, dryRun.messages(Map.of("Action", "Delete-Everything")).size());
    }

    @Test
    void should_answer_404_json_error_for_an_unknown_process() {
        HttpResponse<String> response = dryRun.sendTo("unknown-process", Map.of("Action", "Info"));

        assertEquals(404, response.statusCode());
        assertTrue(json(response).get("error").asText().contains("unknown-process"));
    }

    private static Set<String> searchNames(String query) {
        return names(data(dryRun.reply(Map.of("Action", "Search-Skills", "Query", query))));
    }

    /** Reads the contract's search rule straight off the fixture. */
    private static Set<String> expectedSearch(String query) {
        String needle = lowerAscii(query);
        return latestRecords().stream()
                .filter(record -> lowerAscii(record.get("name").asText()).contains(needle)
                        || lowerAscii(record.get("description").asText()).contains(needle)
                        || textValues(record.get("tags")).stream().anyMatch(tag -> lowerAscii(tag).contains(needle)))
                .map(record -> record.get("name").asText())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String lowerAscii(String text) {
        return text.chars().map(c -> c >= 'A' && c <= 'Z' ? c + 32 : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private static long countWithin(List<JsonNode> records, int days) {
        return countWithin(records, days, NOW);
    }

    private static long countWithin(List<JsonNode> records, int days, long now) {
        return records.stream()
                .flatMap(record -> StreamSupport.stream(record.get("downloadTimestamps").spliterator(), false))
                .mapToLong(JsonNode::asLong)
                .filter(at -> now - days * DAY <= at && at <= now)
                .count();
    }

    private static JsonNode latest(String name) {
        JsonNode entry = SKILLS.get(name);
        return entry.get("versions").get(entry.get("latest").asText());
    }

    private static List<JsonNode> latestRecords() {
        List<JsonNode> records = new ArrayList<>();
        SKILLS.fieldNames().forEachRemaining(name -> records.add(latest(name)));
        return records;
    }

    private static Set<String> names(JsonNode records) {
        Set<String> names = new TreeSet<>();
        records.forEach(record -> names.add(record.get("name").asText()));
        return names;
    }

    private static Set<String> fieldNames(JsonNode object) {
        return new TreeSet<>(fieldNamesInOrder(object));
    }

    private static List<String> fieldNamesInOrder(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> textValues(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static Set<String> handlerNames(JsonNode info) {
        return new HashSet<>(textValues(info.get("handlers")));
    }
}
