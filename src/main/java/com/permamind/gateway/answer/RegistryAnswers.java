package com.permamind.gateway.answer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.permamind.gateway.JsonMappers;
import com.permamind.gateway.query.BadRequestException;
import com.permamind.gateway.query.RegistryRequest;
import com.permamind.gateway.query.RegistryRequests;
import com.permamind.gateway.upstream.UpstreamException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the Lua module's {@code {ok, data | error}} answer, from either tier, into the API's
 * answer: the body in canonical JSON, domain errors as RFC 9457 problems; and a failed request
 * into its problem answer. The headers of a read's answer are the response cache's
 * ({@code CachedAnswer.headers}).
 */
public class RegistryAnswers {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryAnswers.class);
    public static final String JSON = "application/json";
    public static final String PROBLEM_JSON = "application/problem+json";
    /** Contract section 4: the process patches its HyperBEAM state on Register-Skill and Update-Skill, not on downloads. */
    static final String DOWNLOAD_COUNTS = "Read through HyperBEAM, download counts are those of the state the registry "
            + "process last published (it does so when a skill is registered or updated, not on downloads); read by "
            + "dryrun, they include every recorded download.";
    /** Fields the contract always writes as arrays; a node may serialise an empty one as {}. */
    private static final Set<String> ARRAY_FIELDS = Set.of("tags", "dependencies", "bundledFiles", "results",
            "skills", "versions");

    private final ObjectMapper json = JsonMappers.mapper();
    private final String processId;
    private final List<String> queries;
    private final int retryAfterSeconds;

    public RegistryAnswers(String processId, List<String> queries, int retryAfterSeconds) {
        this.processId = processId;
        this.queries = List.copyOf(queries);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The answer for the module's {@code {ok, data | error}}: parsed by the reader, or its JSON text. */
    public void answer(Exchange exchange, @ExchangeProperty(RegistryRequests.REQUEST) RegistryRequest request) {
        Object body = exchange.getMessage().getBody();
        JsonNode answer = body instanceof JsonNode parsed ? parsed : parse(exchange.getMessage().getBody(String.class));
        Message out = cleared(exchange);
        if (answer.path("ok").asBoolean()) {
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            out.setHeader(Exchange.CONTENT_TYPE, JSON);
            out.setBody(Buffer.buffer(CanonicalJson.write(shape(request, answer.get("data")))));
            return;
        }
        JsonNode error = answer.path("error");
        int status = "not_found".equals(error.path("kind").asText()) ? 404 : 400;
        problem(out, status, error.path("message").asText("the registry refused the request"));
    }

    /**
     * The answer for a request that failed: bad input, no upstream (and no last good answer, which
     * the response cache would have served), or a fault of ours.
     */
    public void failure(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        BadRequestException badRequest = find(caught, BadRequestException.class);
        UpstreamException upstream = find(caught, UpstreamException.class);
        Message out = cleared(exchange);
        if (badRequest != null) {
            problem(out, 400, badRequest.getMessage());
        } else if (upstream != null) {
            LOG.warn("no upstream could answer {}: {}", queryOf(exchange), upstream.getMessage());
            out.setHeader("Retry-After", upstream.retryAfterSeconds().orElse(retryAfterSeconds));
            problem(out, 503, "No registry upstream can answer right now; try again later.");
        } else if (find(caught, RejectedExecutionException.class) != null) {
            LOG.warn("{} refused: its thread pool and queue are full", queryOf(exchange));
            out.setHeader("Retry-After", retryAfterSeconds);
            problem(out, 503, "The gateway is at capacity; try again later.");
        } else {
            LOG.error("failed to answer {}", queryOf(exchange), caught);
            problem(out, 500, "The gateway failed to answer this request.");
        }
    }

    // The circuit breaker and the bean component may wrap what a bean threw.
    private static <T extends Throwable> T find(Throwable thrown, Class<T> type) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    // The request's headers (query parameters among them) must not echo back in the answer.
    private static Message cleared(Exchange exchange) {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        return out;
    }

    private static String queryOf(Exchange exchange) {
        RegistryRequest request = exchange.getProperty(RegistryRequests.REQUEST, RegistryRequest.class);
        return request == null ? exchange.getFromRouteId() : request.query();
    }

    private JsonNode shape(RegistryRequest request, JsonNode data) {
        JsonNode shaped = arraysAsArrays(data);
        if (request.function().equals("info") && shaped instanceof ObjectNode info) {
            info.put("processId", processId);
            ArrayNode names = info.putArray("queries");
            queries.forEach(names::add);
            info.put("downloadCounts", DOWNLOAD_COUNTS);
        } else if (request.function().equals("get-download-stats") && request.param("scope") == null
                && shaped instanceof ObjectNode stats && !stats.has("version")) {
            stats.putNull("version");
        }
        return shaped;
    }

    private JsonNode arraysAsArrays(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.fieldNames().forEachRemaining(name -> {
                JsonNode value = object.get(name);
                if (ARRAY_FIELDS.contains(name) && value.isObject() && value.isEmpty()) {
                    object.putArray(name);
                } else {
                    arraysAsArrays(value);
                }
            });
        } else if (node instanceof ArrayNode array) {
            array.forEach(this::arraysAsArrays);
        }
        return node;
    }

    void problem(Message out, int status, String detail) {
        ObjectNode problem = json.createObjectNode();
        problem.put("type", "about:blank");
        problem.put("title", title(status));
        problem.put("status", status);
        problem.put("detail", detail);
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, PROBLEM_JSON);
        if (status >= 500 || status == 400) {
            out.setHeader("Cache-Control", "no-store");
        }
        out.setBody(Buffer.buffer(CanonicalJson.write(problem)));
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 503 -> "Service Unavailable";
            default -> "Internal Server Error";
        };
    }

    /** {@code upstream;dur=12.3;desc="hyperbeam"}: milliseconds with one decimal, rounded half up. */
    public static String serverTiming(long nanos, String source) {
        long tenths = (Math.max(0, nanos) + 50_000) / 100_000;
        return "upstream;dur=" + tenths / 10 + "." + tenths % 10 + ";desc=\"" + source + "\"";
    }

    private JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("an upstream answer that passed its checks is not JSON", e);
        }
    }
}
