package com.permamind.gateway.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A HyperBEAM node serving dynamic reads of one process with one Lua module (contract §3, §4):
 * the conventions of the node's {@code lua@5.3a} device, and its 404 and 500 text pages.
 */
final class HyperBeamProtocol implements UpstreamProtocol {

    private final Vertx vertx;
    private final String processId;
    private final String moduleId;
    private final LuaReads lua;
    private final Supplier<SkillsSnapshot> patched;
    private final MessagePush push;
    private final ObjectMapper mapper;

    HyperBeamProtocol(Vertx vertx, String processId, String moduleId, LuaReads lua, Supplier<SkillsSnapshot> patched,
                      MessagePush push, ObjectMapper mapper) {
        this.vertx = vertx;
        this.processId = processId;
        this.moduleId = moduleId;
        this.lua = lua;
        this.patched = patched;
        this.push = push;
        this.mapper = mapper;
    }

    @Override
    public String functionOf(RoutingContext context) {
        if (MessagePush.isPush(context)) {
            return MessagePush.FUNCTION;
        }
        return HyperBeamPath.parse(context.request().path()).map(HyperBeamPath::function).orElse(UNRECOGNISED);
    }

    @Override
    public void answer(RoutingContext context) {
        if (MessagePush.isPush(context)) {
            push.answer(context);
            return;
        }
        Optional<HyperBeamPath> parsed = HyperBeamPath.parse(context.request().path());
        if (parsed.isEmpty() || !processId.equals(parsed.get().processId())) {
            notFound(context, "process or path not found");
            return;
        }
        HyperBeamPath path = parsed.get();
        if (path.isStateRead()) {
            json(context, patched.get().skillsJson());
        } else if (!moduleId.equals(path.moduleId())) {
            notFound(context, "module " + path.moduleId() + " not found");
        } else {
            callLua(context, path.function(), lowercasedQuery(context.request().uri()));
        }
    }

    /** Lua blocks, so it runs on a worker; the bridge gives each worker thread its own Lua globals. */
    private void callLua(RoutingContext context, String function, Map<String, String> request) {
        vertx.executeBlocking(() -> lua.hasFunction(function)
                        ? Optional.of(lowercaseTopLevelKeys(lua.call(function, request)))
                        : Optional.<String>empty(), false)
                .onSuccess(body -> body.ifPresentOrElse(result -> json(context, result),
                        () -> notFound(context, "function " + function + " not found")))
                .onFailure(error -> FaultResponder.whenDue(context, () -> context.response().setStatusCode(500)
                        .putHeader("Content-Type", "text/plain")
                        .end("lua@5.3a: error in " + function + ": " + error.getMessage())));
    }

    /** The node merges every query parameter into the request message, with lowercased names. */
    private static Map<String, String> lowercasedQuery(String uri) {
        Map<String, String> request = new LinkedHashMap<>();
        new QueryStringDecoder(uri).parameters().forEach((name, values) ->
                request.putIfAbsent(name.toLowerCase(Locale.ROOT), values.get(0)));
        return request;
    }

    private String lowercaseTopLevelKeys(String json) throws JsonProcessingException {
        JsonNode result = mapper.readTree(json);
        if (!(result instanceof ObjectNode object)) {
            return json;
        }
        ObjectNode lowercased = mapper.createObjectNode();
        object.properties().forEach(field ->
                lowercased.set(field.getKey().toLowerCase(Locale.ROOT), field.getValue()));
        return mapper.writeValueAsString(lowercased);
    }

    private static void json(RoutingContext context, String body) {
        FaultResponder.whenDue(context, () -> context.response().putHeader("Content-Type", "application/json").end(body));
    }

    private static void notFound(RoutingContext context, String reason) {
        FaultResponder.whenDue(context, () -> context.response().setStatusCode(404).putHeader("Content-Type", "text/plain")
                .end("404 Not Found: " + reason));
    }
}
