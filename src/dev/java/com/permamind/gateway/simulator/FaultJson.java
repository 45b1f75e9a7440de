package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The admin endpoint's fault format, e.g. {@code {"mode":"status","status":503,"every":3}}:
 * {@code mode} (a {@link FaultMode} id) and, all optional, {@code status}, {@code body},
 * {@code latencyMillis}, {@code jitterMillis}, {@code every} (N) or {@code probability} with {@code seed}.
 */
final class FaultJson {

    private FaultJson() {
    }

    static Fault read(JsonNode json) {
        if (json == null || !json.hasNonNull("mode")) {
            throw new IllegalArgumentException("a fault needs a \"mode\"");
        }
        FailureRate rate = new FailureRate(json.path("every").asInt(1), json.path("probability").asDouble(1.0),
                json.path("seed").asLong(0));
        return new Fault(FaultMode.fromId(json.get("mode").asText()), json.path("status").asInt(0),
                json.hasNonNull("body") ? json.get("body").asText() : null,
                json.path("latencyMillis").asLong(0), json.path("jitterMillis").asLong(0), rate);
    }

    static ObjectNode write(Fault fault, ObjectMapper mapper) {
        ObjectNode json = mapper.createObjectNode().put("mode", fault.mode().id());
        if (fault.mode() == FaultMode.STATUS) {
            json.put("status", fault.status());
        }
        if (fault.body() != null) {
            json.put("body", fault.body());
        }
        json.put("latencyMillis", fault.latencyMillis()).put("jitterMillis", fault.jitterMillis());
        FailureRate rate = fault.rate();
        json.put("every", rate.everyNth());
        if (rate.isRandom()) {
            json.put("probability", rate.probability()).put("seed", rate.seed());
        }
        return json;
    }
}
