package com.permamind.gateway.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Encodes JSON the way the process's Lua {@code json.encode} does as far as a reader can tell: object
 * keys come out in no particular order, which changes from one reply to the next.
 */
final class UnorderedJson {

    private final ObjectMapper mapper;
    private final Random random;

    UnorderedJson(ObjectMapper mapper, long seed) {
        this.mapper = mapper;
        this.random = new Random(seed);
    }

    String encode(JsonNode value) {
        try {
            return mapper.writeValueAsString(shuffled(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of the list in a random order, for sequences the process builds by walking a table. */
    synchronized <T> List<T> shuffle(List<T> items) {
        List<T> copy = new ArrayList<>(items);
        Collections.shuffle(copy, random);
        return copy;
    }

    private JsonNode shuffled(JsonNode value) {
        if (value instanceof ObjectNode object) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            object.fields().forEachRemaining(fields::add);
            ObjectNode copy = mapper.createObjectNode();
            shuffle(fields).forEach(field -> copy.set(field.getKey(), shuffled(field.getValue())));
            return copy;
        }
        if (value instanceof ArrayNode array) {
            ArrayNode copy = mapper.createArrayNode();
            array.forEach(element -> copy.add(shuffled(element)));
            return copy;
        }
        return value;
    }
}
