package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message the registry process sends back to the caller.
 *
 * @param tags its tags besides {@code Action} and the ones every AO message carries
 * @param data what the process passes to {@code json.encode}, or {@code null} when it sends no Data
 */
record ProcessMessage(String action, Map<String, String> tags, JsonNode data) {

    static ProcessMessage of(String action, JsonNode data) {
        return new ProcessMessage(action, Map.of(), data);
    }

    static ProcessMessage error(String text) {
        return new ProcessMessage("Error", Map.of("Error", text), null);
    }

    ProcessMessage withTag(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(tags);
        more.put(name, value);
        return new ProcessMessage(action, more, data);
    }
}
