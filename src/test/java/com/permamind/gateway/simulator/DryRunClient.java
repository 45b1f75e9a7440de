package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static com.permamind.gateway.simulator.SimulatorTestSupport.MAPPER;

/**
 * Sends dryruns the way {@code @permaweb/aoconnect} does and reads the replies; for tests anywhere that
 * speak to the simulated compute unit directly.
 */
public final class DryRunClient {

    // client addresses for fresh dryruns, one each: the compute unit holds each address to a few a minute
    private static final AtomicInteger FRESH_CLIENTS = new AtomicInteger();

    private final String cuUrl;
    private final String processId;

    public DryRunClient(RegistrySimulator simulator) {
        this.cuUrl = simulator.cuUrl();
        this.processId = simulator.processId();
    }

    /** From this machine's address, as the gateway sends them. */
    public HttpResponse<String> send(Map<String, String> tags) {
        return sendTo(processId, tags);
    }

    HttpResponse<String> sendTo(String processId, Map<String, String> tags) {
        return post(processId, "1234", null, tags);
    }

    /** From another client address, which a proxy names ({@code X-Forwarded-For}). */
    public HttpResponse<String> sendFrom(String address, Map<String, String> tags) {
        return post(processId, "1234", address, tags);
    }

    /**
     * A dryrun the compute unit evaluates whatever came before: a body of its own (no cached result)
     * from a client address of its own (no one's limit spent).
     */
    public HttpResponse<String> sendFresh(Map<String, String> tags) {
        int client = FRESH_CLIENTS.getAndIncrement();
        return post(processId, UUID.randomUUID().toString(), "10.8." + client / 250 % 250 + "." + client % 250, tags);
    }

    /** A version's download count as the process has it now (the latest version when null): a fresh Get-Skill. */
    public int downloadCount(String name, String version) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("Action", "Get-Skill");
        tags.put("Name", name);
        if (version != null) {
            tags.put("Version", version);
        }
        HttpResponse<String> answer = sendFresh(tags);
        if (answer.statusCode() != 200) {
            throw new AssertionError("dryrun answered " + answer.statusCode() + ": " + answer.body());
        }
        return data(SimulatorTestSupport.json(answer).path("Messages").get(0)).path("downloadCount").asInt();
    }

    private HttpResponse<String> post(String processId, String id, String clientAddress, Map<String, String> tags) {
        ObjectNode body = MAPPER.createObjectNode()
                .put("Id", id).put("Owner", "1234").put("Target", processId).put("Anchor", "0").put("Data", "1234");
        ArrayNode tagList = body.putArray("Tags");
        Map<String, String> all = new LinkedHashMap<>(tags);
        all.put("Data-Protocol", "ao");
        all.put("Type", "Message");
        all.put("Variant", "ao.TN.1");
        all.forEach((name, value) -> tagList.addObject().put("name", name).put("value", value));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cuUrl + "/dry-run?process-id=" + processId))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (clientAddress != null) {
            request.header("X-Forwarded-For", clientAddress);
        }
        return SimulatorTestSupport.send(request.build());
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

    public static JsonNode data(JsonNode message) {
        try {
            return MAPPER.readTree(message.get("Data").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
