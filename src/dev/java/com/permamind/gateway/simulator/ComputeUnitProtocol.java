package com.permamind.gateway.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * An AO compute unit answering {@code POST /dry-run?process-id=...} (contract §5) for the one registry
 * process it knows, with the body {@code @permaweb/aoconnect} sends.
 */
final class ComputeUnitProtocol implements UpstreamProtocol {

    private final Vertx vertx;
    private final String processId;
    private final RegistryProcess process;
    private final DryRunReplies replies;
    private final LongSupplier clock;
    private final DryRunLimits limits;
    private final ObjectMapper mapper;

    ComputeUnitProtocol(Vertx vertx, String processId, RegistryProcess process, DryRunReplies replies,
                        LongSupplier clock, DryRunLimits limits, ObjectMapper mapper) {
        this.vertx = vertx;
        this.processId = processId;
        this.process = process;
        this.replies = replies;
        this.clock = clock;
        this.limits = limits;
        this.mapper = mapper;
    }

    @Override
    public String functionOf(RoutingContext context) {
        return message(context).map(message -> message.tags().get("Action")).orElse(UNRECOGNISED);
    }

    @Override
    public void answer(RoutingContext context) {
        if (context.request().method() != HttpMethod.POST || !"/dry-run".equals(context.request().path())) {
            HtmlErrorPage.send(context, 404, "Not Found", "Cannot " + context.request().method() + " " + context.request().path());
            return;
        }
        String requested = context.request().getParam("process-id");
        if (requested == null || requested.isEmpty()) {
            error(context, 400, "process-id is required");
        } else if (!processId.equals(requested)) {
            error(context, 404, "Process " + requested + " not found");
        } else {
            message(context).ifPresentOrElse(message -> limited(context, message),
                    () -> error(context, 400, "body must be a JSON message with Tags"));
        }
    }

    /** The compute unit's own limits come first: its result cache, its busy answer, its per-address limit. */
    private void limited(RoutingContext context, DryRunMessage message) {
        String body = context.body().asString();
        Optional<String> cached = limits.cachedResult(body);
        if (cached.isPresent()) {
            FaultResponder.whenDue(context,
                    () -> context.response().putHeader("Content-Type", "application/json").end(cached.get()));
        } else if (limits.busy()) {
            ObjectNode busy = mapper.createObjectNode().put("message",
                    "Evaluation of process " + processId + " is in progress. Please try again later.");
            context.response().setStatusCode(202);
            json(context, busy);
        } else if (!limits.admit(clientAddress(context))) {
            error(context, 429, "Rate limit exceeded");
        } else {
            answer(context, message, body);
        }
    }

    // behind a proxy the CU limits the address the proxy names, as the real one does
    private static String clientAddress(RoutingContext context) {
        String forwarded = context.request().getHeader("X-Forwarded-For");
        if (forwarded != null && !forwarded.isBlank()) {
            return forwarded.split(",")[0].trim();
        }
        String real = context.request().getHeader("X-Real-IP");
        return real != null && !real.isBlank() ? real.trim() : context.request().remoteAddress().hostAddress();
    }

    /**
     * Runs the handler and writes the reply on a worker: a Search-Skills over thousands of skills
     * serialises megabytes, which must not stall the event loops the HyperBEAM side shares.
     */
    private void answer(RoutingContext context, DryRunMessage message, String requestBody) {
        long now = clock.getAsLong();
        vertx.executeBlocking(() -> mapper.writeValueAsString(replies.result(process.handle(message.tags(), now),
                        message.from())), false)
                .onSuccess(body -> {
                    limits.remember(requestBody, body);
                    FaultResponder.whenDue(context,
                            () -> context.response().putHeader("Content-Type", "application/json").end(body));
                })
                .onFailure(failure -> HtmlErrorPage.send(context, 500, "Internal Server Error", "the evaluation failed"));
    }

    /** The dryrun message: its tags (a later tag of the same name wins, as in aos) and its sender. */
    private Optional<DryRunMessage> message(RoutingContext context) {
        try {
            JsonNode body = mapper.readTree(context.body().asString());
            if (body == null || !body.path("Tags").isArray()) {
                return Optional.empty();
            }
            Map<String, String> tags = new LinkedHashMap<>();
            body.path("Tags").forEach(tag -> tags.put(tag.path("name").asText(), tag.path("value").asText()));
            String from = body.hasNonNull("From") ? body.get("From").asText() : body.path("Owner").asText();
            return Optional.of(new DryRunMessage(tags, from));
        } catch (JsonProcessingException | IllegalArgumentException unreadable) {
            return Optional.empty();
        }
    }

    private void json(RoutingContext context, ObjectNode result) {
        try {
            String body = mapper.writeValueAsString(result);
            FaultResponder.whenDue(context, () -> context.response().putHeader("Content-Type", "application/json").end(body));
        } catch (JsonProcessingException e) {
            context.fail(e);
        }
    }

    private void error(RoutingContext context, int status, String text) {
        ObjectNode body = mapper.createObjectNode().put("error", text);
        context.response().setStatusCode(status);
        json(context, body);
    }

    private record DryRunMessage(Map<String, String> tags, String from) {
    }
}
