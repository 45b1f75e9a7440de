package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Wraps the process's replies in the result a compute unit gives for {@code POST /dry-run}. */
final class DryRunReplies {

    /**
     * A dryrun never persists, so every evaluation starts from the same {@code ao.reference}:
     * all replies carry the same Reference and Anchor.
     */
    private static final String REFERENCE = "1";
    private static final String ANCHOR = "%032d".formatted(Long.parseLong(REFERENCE));

    private final ObjectMapper mapper;
    private final UnorderedJson luaJson;

    DryRunReplies(ObjectMapper mapper, UnorderedJson luaJson) {
        this.mapper = mapper;
        this.luaJson = luaJson;
    }

    ObjectNode result(List<ProcessMessage> replies, String target) {
        ObjectNode result = mapper.createObjectNode();
        ArrayNode messages = result.putArray("Messages");
        replies.forEach(reply -> messages.add(message(reply, target)));
        result.putArray("Spawns");
        result.put("Output", "");
        result.put("GasUsed", 0);
        return result;
    }

    private ObjectNode message(ProcessMessage reply, String target) {
        ObjectNode message = mapper.createObjectNode();
        message.put("Target", target);
        message.put("Anchor", ANCHOR);
        List<Map.Entry<String, String>> tags = new ArrayList<>();
        tags.add(Map.entry("Action", reply.action()));
        tags.addAll(reply.tags().entrySet());
        tags.add(Map.entry("Data-Protocol", "ao"));
        tags.add(Map.entry("Variant", "ao.TN.1"));
        tags.add(Map.entry("Type", "Message"));
        tags.add(Map.entry("Reference", REFERENCE));
        // aos builds the tag list by walking the message table, so its order is not to be relied on either
        ArrayNode tagList = message.putArray("Tags");
        luaJson.shuffle(tags).forEach(tag -> tagList.addObject()
                .put("name", tag.getKey())
                .put("value", tag.getValue()));
        message.put("Data", reply.data() == null ? "" : luaJson.encode(reply.data()));
        return message;
    }
}
