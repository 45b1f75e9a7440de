package com.permamind.gateway.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;

/**
 * Emulates the handlers of the deployed registry process (someone else's Lua, contract §5), as a
 * compute unit evaluates them for a dryrun: read-only, results in {@code pairs} order, and download
 * windows computed correctly in milliseconds (where the deployed process assumes seconds).
 */
final class RegistryProcess {

    private static final long DAY_MILLIS = 86_400_000L;
    private static final long SECONDS_ERA_LIMIT = 100_000_000_000L;
    /** The read side only: the deployed process also registers and updates skills, which no dryrun here needs. */
    private static final List<String> HANDLERS = List.of("Info", "Search-Skills", "List-Skills", "Get-Skill",
            "Get-Skill-Versions", "Record-Download", "Get-Download-Stats");

    private final ProcessState state;
    private final ObjectMapper mapper;
    private final PairsOrder pairsOrder;

    RegistryProcess(ProcessState state, ObjectMapper mapper, PairsOrder pairsOrder) {
        this.state = state;
        this.mapper = mapper;
        this.pairsOrder = pairsOrder;
    }

    /** The replies to one message; none for an Action no handler matches. */
    List<ProcessMessage> handle(Map<String, String> tags, long now) {
        Tags message = new Tags(tags);
        return switch (message.get("Action")) {
            case "Info" -> List.of(info());
            case "Search-Skills" -> List.of(searchSkills(message.get("Query")));
            case "List-Skills" -> List.of(listSkills(message));
            case "Get-Skill" -> List.of(getSkill(message.get("Name"), message.get("Version")));
            case "Get-Skill-Versions" -> List.of(getSkillVersions(message.get("Name")));
            case "Get-Download-Stats" -> List.of(downloadStats(message, now));
            case "Record-Download" -> recordDownload(message.get("Name"), message.get("Version"));
            default -> List.of();
        };
    }

    private ProcessMessage info() {
        ObjectNode data = mapper.createObjectNode();
        ObjectNode process = data.putObject("process");
        process.put("name", "Agent Skills Registry");
        process.put("version", "2.1.0");
        process.put("adpVersion", "1.0");
        ArrayNode capabilities = process.putArray("capabilities");
        List.of("search", "retrieve", "version-history", "pagination", "filtering", "download-tracking",
                "download-stats").forEach(capabilities::add);
        ArrayNode handlers = data.putArray("handlers");
        HANDLERS.forEach(handlers::add);
        ObjectNode documentation = data.putObject("documentation");
        documentation.put("adpCompliance", "v1.0");
        documentation.put("selfDocumenting", true);
        return ProcessMessage.of("Info-Response", data);
    }

    private ProcessMessage searchSkills(String query) {
        ArrayNode results = mapper.createArrayNode();
        latestRecords().stream().filter(record -> query.isEmpty() || matchesQuery(record, query)).forEach(results::add);
        return ProcessMessage.of("Search-Results", results).withTag("ResultCount", String.valueOf(results.size()));
    }

    private static boolean matchesQuery(JsonNode record, String query) {
        return AsciiFold.contains(record.path("name").asText(), query)
                || AsciiFold.contains(record.path("description").asText(), query)
                || elements(record.path("tags")).stream().anyMatch(tag -> AsciiFold.contains(tag.asText(), query));
    }

    private ProcessMessage listSkills(Tags message) {
        long limit = Math.max(1, Math.min(100, message.integer("Limit", 10)));
        long offset = Math.max(0, Math.min(Integer.MAX_VALUE, message.integer("Offset", 0)));
        Predicate<JsonNode> filter = authorIs(message.get("Author"))
                .and(nameContains(message.get("FilterName")))
                .and(carriesAllTags(message.get("FilterTags")));
        List<JsonNode> matches = latestRecords().stream().filter(filter).toList();

        long end = Math.min(offset + limit, matches.size());
        ObjectNode data = mapper.createObjectNode();
        ArrayNode page = data.putArray("skills");
        for (long i = offset; i < end; i++) {
            page.add(matches.get((int) i));
        }
        ObjectNode pagination = data.putObject("pagination");
        pagination.put("total", matches.size());
        pagination.put("limit", limit);
        pagination.put("offset", offset);
        pagination.put("returned", page.size());
        pagination.put("hasNextPage", end < matches.size());
        pagination.put("hasPrevPage", offset > 0);
        return ProcessMessage.of("Skills-List", data);
    }

    private static Predicate<JsonNode> authorIs(String author) {
        return record -> author.isEmpty() || AsciiFold.equals(record.path("author").asText(), author);
    }

    private static Predicate<JsonNode> nameContains(String name) {
        return record -> name.isEmpty() || AsciiFold.contains(record.path("name").asText(), name);
    }

    private Predicate<JsonNode> carriesAllTags(String filterTagsJson) {
        List<JsonNode> required = decodeList(filterTagsJson);
        return record -> required.stream().allMatch(wanted -> elements(record.path("tags")).stream()
                .anyMatch(tag -> AsciiFold.equals(tag.asText(), wanted.asText())));
    }

    /** Like the process's lenient decoder: anything that is not a JSON array filters nothing. */
    private List<JsonNode> decodeList(String json) {
        if (json.isEmpty()) {
            return List.of();
        }
        try {
            return elements(mapper.readTree(json));
        } catch (JsonProcessingException e) {
            return List.of();
        }
    }

    private ProcessMessage getSkill(String name, String version) {
        if (name.isEmpty()) {
            return ProcessMessage.error("Name is required");
        }
        JsonNode entry = skills().get(name);
        if (entry == null) {
            return ProcessMessage.error("Skill '" + name + "' not found");
        }
        String wanted = version.isEmpty() ? entry.path("latest").asText() : version;
        JsonNode record = entry.path("versions").get(wanted);
        if (record == null) {
            return ProcessMessage.error("Skill '" + name + "' version '" + wanted + "' not found");
        }
        return ProcessMessage.of("Skill-Found", record);
    }

    private ProcessMessage getSkillVersions(String name) {
        if (name.isEmpty()) {
            return ProcessMessage.error("Name is required");
        }
        JsonNode entry = skills().get(name);
        if (entry == null) {
            return ProcessMessage.error("Skill '" + name + "' not found");
        }
        ObjectNode data = mapper.createObjectNode();
        data.put("name", name);
        data.put("latest", entry.path("latest").asText());
        ArrayNode versions = data.putArray("versions");
        pairsOrder.of(fieldNames(entry.path("versions"))).forEach(versions::add);
        return ProcessMessage.of("Skill-Versions", data);
    }

    private ProcessMessage downloadStats(Tags message, long now) {
        String timeRange = message.get("TimeRange").isEmpty() ? "all" : message.get("TimeRange");
        if ("all".equals(message.get("Scope"))) {
            List<JsonNode> everyVersion = new ArrayList<>();
            skills().elements().forEachRemaining(entry -> entry.path("versions").elements().forEachRemaining(everyVersion::add));
            ObjectNode data = mapper.createObjectNode();
            data.put("totalSkills", skills().size());
            return ProcessMessage.of("Download-Stats", putCounts(data, everyVersion, timeRange, now));
        }
        String name = message.get("Name");
        if (name.isEmpty()) {
            return ProcessMessage.error("Name parameter required for per-skill stats");
        }
        JsonNode entry = skills().get(name);
        if (entry == null) {
            return ProcessMessage.error("Skill not found: " + name);
        }
        ObjectNode data = mapper.createObjectNode();
        data.put("skillName", name);
        String version = message.get("Version");
        if (version.isEmpty()) {
            // no Version: every version of the skill, and "version" null, as the API answers
            List<JsonNode> everyVersion = new ArrayList<>();
            entry.path("versions").elements().forEachRemaining(everyVersion::add);
            data.putNull("version");
            return ProcessMessage.of("Download-Stats", putCounts(data, everyVersion, timeRange, now));
        }
        JsonNode record = entry.path("versions").get(version);
        if (record == null) {
            return ProcessMessage.error("Version not found: " + version);
        }
        data.put("version", version);
        return ProcessMessage.of("Download-Stats", putCounts(data, List.of(record), timeRange, now));
    }

    private static ObjectNode putCounts(ObjectNode data, List<JsonNode> records, String timeRange, long now) {
        List<Long> downloads = records.stream()
                .flatMap(record -> elements(record.path("downloadTimestamps")).stream())
                .map(timestamp -> inMillis(timestamp.asLong()))
                .toList();
        data.put("downloadsTotal", downloads.size());
        if ("7".equals(timeRange) || "all".equals(timeRange)) {
            data.put("downloads7Days", downloads.stream().filter(at -> withinDays(at, now, 7)).count());
        }
        if ("30".equals(timeRange) || "all".equals(timeRange)) {
            data.put("downloads30Days", downloads.stream().filter(at -> withinDays(at, now, 30)).count());
        }
        return data;
    }

    /** Records written by older process code hold seconds. */
    private static long inMillis(long timestamp) {
        return timestamp < SECONDS_ERA_LIMIT ? timestamp * 1000 : timestamp;
    }

    private static boolean withinDays(long timestamp, long now, int days) {
        return now - days * DAY_MILLIS <= timestamp && timestamp <= now;
    }

    /** A dryrun evaluates the write and throws it away: the count includes this download, the state does not. */
    private List<ProcessMessage> recordDownload(String name, String version) {
        if (name.isEmpty()) {
            return List.of(ProcessMessage.error("Name is required"));
        }
        JsonNode entry = skills().get(name);
        if (entry == null) {
            return List.of();
        }
        String wanted = version.isEmpty() ? entry.path("latest").asText() : version;
        JsonNode record = entry.path("versions").get(wanted);
        if (record == null) {
            return List.of();
        }
        int count = record.path("downloadTimestamps").size() + 1;
        return List.of(new ProcessMessage("Download-Recorded", Map.of(), null)
                .withTag("Name", name)
                .withTag("Version", wanted)
                .withTag("DownloadCount", String.valueOf(count)));
    }

    /** The live table: what a dryrun sees, downloads recorded since the last patch included. */
    private ObjectNode skills() {
        return state.live();
    }

    private List<JsonNode> latestRecords() {
        List<JsonNode> records = new ArrayList<>();
        for (String name : pairsOrder.of(fieldNames(skills()))) {
            JsonNode entry = skills().get(name);
            JsonNode latest = entry.path("versions").get(entry.path("latest").asText());
            if (latest != null) {
                records.add(latest);
            }
        }
        return records;
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<JsonNode> elements(JsonNode node) {
        return node.isArray() ? StreamSupport.stream(node.spliterator(), false).toList() : List.of();
    }

    /** Message tags as the handlers read them: an absent tag reads as empty, like a nil the handlers test for. */
    private record Tags(Map<String, String> values) {

        String get(String name) {
            return values.getOrDefault(name, "");
        }

        long integer(String name, long fallback) {
            try {
                return Long.parseLong(get(name).trim());
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
    }
}
