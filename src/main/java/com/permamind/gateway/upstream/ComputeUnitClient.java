package com.permamind.gateway.upstream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.permamind.gateway.JsonMappers;
import java.io.IOException;
import java.io.InputStream;
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
    private final ObjectMapper json = JsonMappers.mapper();

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
        // Read as a stream, not as a tree: a Search-Results reply carries every skill in one Data
        // string (8 MB for 5,000 skills), and a tree held the answer's bytes, Jackson's char
        // buffer and the string at once (docs/java25.md, "The heap"). A Data string is only
        // located here; DryrunReader reads it from the answer's bytes.
        Reply first = null;
        String error = null;
        boolean messages = false;
        try (JsonParser parser = json.createParser(body)) {
            boolean object = parser.nextToken() == JsonToken.START_OBJECT;
            while (object && parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("error")) {
                    error = json.readTree(parser).toString();
                } else if (field.equals("Messages") && value == JsonToken.START_ARRAY) {
                    messages = true;
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        Reply reply = Reply.read(parser, body, json);
                        if (first == null && reply.action() != null) {
                            first = reply;
                        }
                    }
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new UpstreamException(SOURCE, action + ": the answer is not JSON");
        }
        if (error != null || !messages) {
            throw new UpstreamException(SOURCE, action + ": " + (error != null ? "compute unit error " + error
                    : "no Messages in the answer"));
        }
        return first != null ? first : Reply.NONE;
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

    /**
     * A reply message: its {@code Action} tag, its {@code Error} tag if any, and its data: a JSON
     * string at {@code dataAt} in {@code json} (-1: none), read from there when it is needed.
     */
    public record Reply(String action, String error, byte[] json, int dataAt) {

        static final Reply NONE = new Reply(null, null, null, -1);

        static Reply read(JsonParser message, byte[] answer, ObjectMapper mapper) throws IOException {
            String action = null;
            String error = null;
            byte[] json = null;
            int dataAt = -1;
            while (message.nextToken() == JsonToken.FIELD_NAME) {
                String field = message.currentName();
                JsonToken value = message.nextToken();
                if (field.equals("Tags") && value == JsonToken.START_ARRAY) {
                    for (JsonNode tag : (JsonNode) mapper.readTree(message)) {
                        String name = tag.path("name").asText();
                        if (name.equals("Action")) {
                            action = tag.path("value").asText();
                        } else if (name.equals("Error")) {
                            error = tag.path("value").asText();
                        }
                    }
                } else if (field.equals("Data") && value == JsonToken.VALUE_STRING) {
                    // the string's opening quote; skipping it (no getText) copies nothing
                    json = answer;
                    dataAt = (int) message.currentTokenLocation().getByteOffset();
                } else if (field.equals("Data") && value.isScalarValue() && value != JsonToken.VALUE_NULL) {
                    json = mapper.writeValueAsBytes(message.getText());
                    dataAt = 0;
                } else {
                    message.skipChildren();
                }
            }
            return new Reply(action, error, json, dataAt);
        }

        public boolean hasData() {
            return dataAt >= 0;
        }

        /** The data's text as UTF-8 bytes, unescaped as they are read. */
        public InputStream dataStream() {
            return new JsonStringBytes(json, dataAt);
        }

        public boolean isError() {
            return "Error".equals(action);
        }
    }
}
