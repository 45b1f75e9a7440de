package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The registry process's {@code Skills} table, read from a state file
 * ({@code {"now": <ms>, "skills": {name: {latest, versions: {version: record}}}}}).
 *
 * @param skills     the table, never modified (a dryrun does not persist, a dynamic read cannot write)
 * @param skillsJson the table as the JSON string the process publishes under the state key {@code skills}
 * @param now        the clock the state file was made for, if it says
 */
public record SkillsSnapshot(ObjectNode skills, String skillsJson, OptionalLong now) {

    public static SkillsSnapshot load(Path stateFile, ObjectMapper mapper) {
        try {
            JsonNode state = mapper.readTree(stateFile.toFile());
            if (!(state.get("skills") instanceof ObjectNode skills)) {
                throw new IllegalArgumentException(stateFile + " has no \"skills\" object");
            }
            OptionalLong now = state.hasNonNull("now") ? OptionalLong.of(state.get("now").asLong()) : OptionalLong.empty();
            return new SkillsSnapshot(skills, mapper.writeValueAsString(skills), now);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read registry state " + stateFile, e);
        }
    }

    public JsonNode entry(String name) {
        return skills.get(name);
    }
}
