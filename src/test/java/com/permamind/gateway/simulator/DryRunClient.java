package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

import static com.permamind.gateway.simulator.SimulatorTestSupport.MAPPER;

/** Sends dryruns the way {@code @permaweb/aoconnect} does and reads the replies. */
final class DryRunClient {

    private final String cuUrl;
    private final String processId;

    DryRunClient(RegistrySimulator simulator) {
        this.cuUrl = simulator.cuUrl();
        this.processId = simulator.processId();
    }

    HttpResponse<String> send(Map<String, String> tags) {
        return sendTo(processId, tags);
    }

    HttpResponse<String> sendTo(String processId, Map<String, String> tags) {
        ObjectNode body = MAPPER.createObjectNode()
                .put("Id", "1234").put("Owner", "1234").put("Target", processId).put("Anchor", "0").put("Data", "1234");
        ArrayNode tagList = body.putArray("Tags");
        Map<String, String> all = new LinkedHashMap<>(tags);
        all.put("Data-Protocol", "ao");
        all.put("Type", "Message");
        all.put("Variant", "ao.TN.1");
        all.forEach((name, value) -> tagList.addObject().put("name", name).put("value", value));
        return SimulatorTestSupport.post(cuUrl + "/dry-run?process-id=" + processId, body.toString());
    }

    /** The result's Messages array. */
    JsonNode messages(Map<String, String> tags) {
        HttpResponse<String> response = send(tags);
        if (response.statusCode() != 200) {
            throw new AssertionError("dryrun answered " + response.statusCode() + ": " + response.body());
        }
        return SimulatorTestSupport.json(response).get("Messages");
    }

    /** The one reply the process sent. */
    JsonNode reply(Map<String, String> tags) {
        JsonNode messages = messages(tags);
        if (messages.size() != 1) {
            throw new AssertionError("expected one reply, got " + messages);
        }
        return messages.get(0);
    }

    static String tag(JsonNode message, String name) {
        for (JsonNode tag : message.get("Tags")) {
            if (name.equals(tag.get("name").asText())) {
                return tag.get("value").asText();
            }
        }
        return null;
    }

    static JsonNode data(JsonNode message) {
        try {
            return MAPPER.readTree(message.get("Data").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
