package com.permamind.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends a message to the registry process as a dryrun on an AO compute unit, as aoconnect does
 * (registry-contract.md section 5), and picks the process's reply out of the result.
 */
public class ComputeUnitClient {

    public static final String SOURCE = "dryrun";
    private static final Duration RATE_LIMIT_WINDOW = Duration.ofSeconds(60);

    private final HttpClient http;
    private final URI dryRunUri;
    private final String processId;
    private final Duration timeout;
    private final long maxAnswerBytes;
    private final ObjectMapper json = new ObjectMapper();

    /** @param maxAnswerBytes an answer larger than this is a failure of the compute unit, read no further */
    public ComputeUnitClient(HttpClient http, URI computeUnit, String processId, Duration timeout, long maxAnswerBytes) {
        this.http = http;
        this.processId = processId;
        this.timeout = timeout;
        this.maxAnswerBytes = maxAnswerBytes;
        this.dryRunUri = URI.create(computeUnit.toString().replaceAll("/+$", "") + "/dry-run?process-id="
                + URLEncoder.encode(processId, StandardCharsets.UTF_8));
    }

    /** The process's reply to {@code action}: its tags and data; an {@code Error} reply is returned too. */
    public Reply send(String action, Map<String, String> tags) {
        UpstreamAnswer answer = BoundedExchange.send(http, post(action, tags), timeout, maxAnswerBytes, SOURCE,
                action + ": ");
        return reply(action, answer.status(), answer.body(), answer.retryAfter());
    }

    /** As {@link #send}, without holding the caller's thread: several dryruns can run at once. */
    public CompletableFuture<Reply> sendAsync(String action, Map<String, String> tags) {
        return http.sendAsync(post(action, tags).timeout(timeout).build(), BoundedBody.handler(maxAnswerBytes))
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                        throw new UpstreamException(SOURCE, action + ": " + (cause instanceof TimeoutException
                                ? "no answer within " + timeout.toMillis() + " ms" : HyperbeamReader.describe(cause)));
                    }
                    return reply(action, response.statusCode(), response.body(),
                            RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), Instant.now()));
                });
    }

    private HttpRequest.Builder post(String action, Map<String, String> tags) {
        return HttpRequest.newBuilder(dryRunUri)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(message(action, tags)));
    }

    private Reply reply(String action, int status, byte[] body, Duration retryAfter) {
        // 429: the unit's per-address limit (6 dry-runs a minute by default), whose window is a minute
        if (status == 429) {
            throw new ComputeUnitRefusal(action + ": HTTP 429, the compute unit's rate limit",
                    retryAfter != null ? retryAfter : RATE_LIMIT_WINDOW);
        }
        if (status == 503 && retryAfter != null) {
            throw new ComputeUnitRefusal(action + ": HTTP 503, unavailable", retryAfter);
        }
        // 202 (busy) and 425 are not answers either: only a 200 carries the evaluation
        if (status != 200) {
            throw new UpstreamException(SOURCE, action + ": HTTP " + status);
        }
        JsonNode result;
        try {
            result = json.readTree(body);
        } catch (IOException e) {
            throw new UpstreamException(SOURCE, action + ": the answer is not JSON");
        }
        if (result == null || result.has("error") || !result.path("Messages").isArray()) {
            throw new UpstreamException(SOURCE, action + ": " + (result != null && result.has("error")
                    ? "compute unit error " + result.get("error") : "no Messages in the answer"));
        }
        for (JsonNode message : result.get("Messages")) {
            Reply reply = Reply.of(message);
            if (reply.action() != null) {
                return reply;
            }
        }
        return Reply.NONE;
    }

    private String message(String action, Map<String, String> tags) {
        ObjectNode message = json.createObjectNode();
        message.put("Id", "1234");
        message.put("Owner", "1234");
        message.put("Target", processId);
        message.put("Anchor", "0");
        message.put("Data", "1234");
        ArrayNode list = message.putArray("Tags");
        list.addObject().put("name", "Action").put("value", action);
        tags.forEach((name, value) -> list.addObject().put("name", name).put("value", value));
        list.addObject().put("name", "Data-Protocol").put("value", "ao");
        list.addObject().put("name", "Type").put("value", "Message");
        list.addObject().put("name", "Variant").put("value", "ao.TN.1");
        return message.toString();
    }

    /** A reply message: its {@code Action} tag, its {@code Error} tag if any, and its data text. */
    public record Reply(String action, String error, String data) {

        static final Reply NONE = new Reply(null, null, null);

        static Reply of(JsonNode message) {
            String action = null;
            String error = null;
            for (JsonNode tag : message.path("Tags")) {
                String name = tag.path("name").asText();
                if (name.equals("Action")) {
                    action = tag.path("value").asText();
                } else if (name.equals("Error")) {
                    error = tag.path("value").asText();
                }
            }
            return new Reply(action, error, message.path("Data").asText(null));
        }

        public boolean isError() {
            return "Error".equals(action);
        }
    }
}
