package com.permamind.gateway.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.util.OptionalInt;

/**
 * The registry process's memory (contract §1, §4): the live {@code Skills} table its handlers read
 * and write, which a dryrun sees, and the copy it last published with the patch device, which a
 * HyperBEAM node serves. The process patches when it loads, on Register-Skill and on Update-Skill,
 * never on Record-Download: a download shows through HyperBEAM only after the next patch.
 *
 * <p>Copy on write: a reader holds a table no write changes afterwards, so a dryrun serialising a
 * reply never races a download being recorded.
 */
final class ProcessState {

    private final ObjectMapper mapper;
    private volatile ObjectNode live;
    private volatile SkillsSnapshot patched;

    ProcessState(SkillsSnapshot loaded, ObjectMapper mapper) {
        this.mapper = mapper;
        this.live = loaded.skills();
        this.patched = loaded;
    }

    /** {@code Skills} as the handlers see it now. */
    ObjectNode live() {
        return live;
    }

    /** What the process last published under the state key {@code skills}. */
    SkillsSnapshot patched() {
        return patched;
    }

    /**
     * The Record-Download handler: appends {@code timestamp} to the version's downloads (the latest
     * when no version is given). An unknown skill or version changes nothing and gets no reply.
     *
     * @return the version's new download count, or empty when the message was ignored
     */
    synchronized OptionalInt recordDownload(String name, String version, long timestamp) {
        JsonNode entry = live.get(name);
        if (entry == null) {
            return OptionalInt.empty();
        }
        String wanted = version == null || version.isEmpty() ? entry.path("latest").asText() : version;
        if (!(entry.path("versions").get(wanted) instanceof ObjectNode)) {
            return OptionalInt.empty();
        }
        ObjectNode changed = (ObjectNode) entry.deepCopy();
        ObjectNode record = (ObjectNode) changed.path("versions").get(wanted);
        ArrayNode timestamps = record.get("downloadTimestamps") instanceof ArrayNode list ? list
                : record.putArray("downloadTimestamps");
        timestamps.add(timestamp);
        record.put("downloadCount", timestamps.size());
        replace(name, changed);
        return OptionalInt.of(timestamps.size());
    }

    /**
     * Register-Skill: a new skill, or a new version of one, becomes its latest; then the process
     * patches. A version that exists already is refused, as the process refuses it.
     */
    synchronized void registerSkill(ObjectNode record, long now) {
        String name = record.path("name").asText();
        String version = record.path("version").asText();
        JsonNode existing = live.get(name);
        if (existing != null && existing.path("versions").has(version)) {
            throw new IllegalArgumentException("skill " + name + " version " + version + " is registered already");
        }
        ObjectNode entry = existing == null ? mapper.createObjectNode() : (ObjectNode) existing.deepCopy();
        ObjectNode versions = entry.get("versions") instanceof ObjectNode map ? map : entry.putObject("versions");
        ObjectNode stored = fresh(record, now);
        stored.put("publishedAt", now);
        versions.set(version, stored);
        entry.put("latest", version);
        replace(name, entry);
        patch();
    }

    /**
     * Update-Skill: a registered version's record replaced, its downloads reset (process behaviour),
     * and it becomes the latest; then the process patches.
     */
    synchronized void updateSkill(ObjectNode record, long now) {
        String name = record.path("name").asText();
        String version = record.path("version").asText();
        JsonNode existing = live.get(name);
        if (existing == null || !existing.path("versions").has(version)) {
            throw new IllegalArgumentException("skill " + name + " version " + version + " is not registered");
        }
        ObjectNode entry = (ObjectNode) existing.deepCopy();
        ObjectNode stored = fresh(record, now);
        stored.set("publishedAt", existing.path("versions").path(version).path("publishedAt"));
        ((ObjectNode) entry.get("versions")).set(version, stored);
        entry.put("latest", version);
        replace(name, entry);
        patch();
    }

    private static ObjectNode fresh(ObjectNode record, long now) {
        if (record.path("name").asText().isEmpty() || !record.path("version").asText().matches("\\d+\\.\\d+\\.\\d+")) {
            throw new IllegalArgumentException("a skill record needs a name and a version like 1.2.0");
        }
        ObjectNode stored = record.deepCopy();
        stored.put("downloadCount", 0);
        stored.putArray("downloadTimestamps");
        stored.put("updatedAt", now);
        return stored;
    }

    private void replace(String name, JsonNode entry) {
        ObjectNode next = mapper.createObjectNode();
        next.setAll(live);
        next.set(name, entry);
        live = next;
    }

    private void patch() {
        try {
            patched = new SkillsSnapshot(live, mapper.writeValueAsString(live), patched.now());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
