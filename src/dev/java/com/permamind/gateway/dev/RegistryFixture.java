package com.permamind.gateway.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared registry state used by tests, the simulator and the demo:
 * {@code {"now": <ms>, "skills": {...}}}, from {@code REGISTRY_FIXTURE} or shared/ beside the repo.
 */
public final class RegistryFixture {

    public static final String DEFAULT_LOCATION = "../shared/fixtures/registry-state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode document;

    private RegistryFixture(JsonNode document) {
        if (!document.path("skills").isObject()) {
            throw new IllegalArgumentException("a registry state needs a \"skills\" object");
        }
        this.document = document;
    }

    public static Path defaultPath() {
        String configured = System.getenv("REGISTRY_FIXTURE");
        return Path.of(configured != null && !configured.isBlank() ? configured : DEFAULT_LOCATION);
    }

    public static RegistryFixture load() {
        return load(defaultPath());
    }

    public static RegistryFixture load(Path file) {
        try {
            return new RegistryFixture(JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read registry state " + file.toAbsolutePath(), e);
        }
    }

    public static RegistryFixture of(JsonNode document) {
        return new RegistryFixture(document);
    }

    /** The clock the state was made for, in ms; tests pin the upstreams to it. */
    public long now() {
        return document.path("now").asLong(System.currentTimeMillis());
    }

    public JsonNode skills() {
        return document.get("skills");
    }

    /** The {@code Skills} table as the process publishes it: one compact JSON string. */
    public String skillsJson() {
        try {
            return JSON.writeValueAsString(skills());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
