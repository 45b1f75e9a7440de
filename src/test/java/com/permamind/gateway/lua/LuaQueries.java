package com.permamind.gateway.lua;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.dev.RegistryFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Calls the real Lua module over the shared fixture, as the gateway does. */
final class LuaQueries {

    static final RegistryFixture FIXTURE = RegistryFixture.load();
    static final RegistryModule MODULE = RegistryModule.load();
    static final RegistryState STATE = MODULE.decode(FIXTURE.skillsJson());
    static final String NOW = Long.toString(FIXTURE.now());
    private static final ObjectMapper JSON = new ObjectMapper();

    private LuaQueries() {
    }

    static String raw(String function, String... keyValues) {
        return MODULE.call(function, STATE, params(keyValues));
    }

    /** The {@code data} of a successful answer; fails the test on a domain error. */
    static JsonNode data(String function, String... keyValues) {
        JsonNode answer = parse(raw(function, keyValues));
        if (!answer.path("ok").asBoolean()) {
            throw new AssertionError(function + " answered " + answer);
        }
        return answer.get("data");
    }

    /** The {@code error} of a refused call; fails the test if the call succeeded. */
    static JsonNode error(String function, String... keyValues) {
        JsonNode answer = parse(raw(function, keyValues));
        if (answer.path("ok").asBoolean(true)) {
            throw new AssertionError(function + " should have failed but answered " + answer);
        }
        return answer.get("error");
    }

    static Map<String, String> params(String... keyValues) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put(keyValues[i], keyValues[i + 1]);
        }
        return params;
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
