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
 * the conventions of the node's {@code lua@5.3a} device; its HTML error pages (404 for an unknown
 * process, module or function, 500 for a Lua error); and, as its {@link NodeRules} say, its own
 * per-address limit (429), payment (402) and the extra cost of a {@code now} read.
 */
final class HyperBeamProtocol implements UpstreamProtocol {

    private final Vertx vertx;
    private final String processId;
    private final String moduleId;
    private final LuaReads lua;
    private final Supplier<SkillsSnapshot> patched;
    private final MessagePush push;
    private final ObjectMapper mapper;
    private final NodeRulesSwitch rules;

    HyperBeamProtocol(Vertx vertx, String processId, String moduleId, LuaReads lua, Supplier<SkillsSnapshot> patched,
                      MessagePush push, ObjectMapper mapper, NodeRulesSwitch rules) {
        this.vertx = vertx;
        this.processId = processId;
        this.moduleId = moduleId;
        this.lua = lua;
        this.patched = patched;
        this.push = push;
        this.mapper = mapper;
        this.rules = rules;
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
        if (parsed.isEmpty()) {
            HtmlErrorPage.send(context, 404, "Not Found", "No route for " + context.request().path());
            return;
        }
        HyperBeamPath path = parsed.get();
        if (!processId.equals(path.processId())) {
            HtmlErrorPage.send(context, 404, "Not Found", "Process '" + path.processId() + "' not found");
            return;
        }
        NodeRules inForce = rules.current();
        long waitMillis = rules.admit(context.request().remoteAddress().hostAddress(), System.currentTimeMillis());
        if (waitMillis > 0) {
            context.response().putHeader("Retry-After", Long.toString(Math.max(1, (waitMillis + 999) / 1000)));
            HtmlErrorPage.send(context, 429, "Too Many Requests", "Rate limit exceeded for this address");
            return;
        }
        if (inForce.refusesPayment()) {
            ObjectNode body = mapper.createObjectNode().put("body", "Insufficient funds")
                    .put("price", inForce.price()).put("balance", inForce.balance());
            FaultResponder.whenDue(context, () -> context.response().setStatusCode(402)
                    .putHeader("Content-Type", "application/json").end(body.toString()));
            return;
        }
        if (path.computesNow() && inForce.nowLatencyMillis() > 0) {
            vertx.setTimer(inForce.nowLatencyMillis(), timer -> read(context, path));
        } else {
            read(context, path);
        }
    }

    private void read(RoutingContext context, HyperBeamPath path) {
        if (path.isStateRead()) {
            json(context, patched.get().skillsJson());
        } else if (!moduleId.equals(path.moduleId())) {
            HtmlErrorPage.send(context, 404, "Not Found", "Lua module '" + path.moduleId() + "' not found");
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
                        () -> HtmlErrorPage.send(context, 404, "Not Found", "Function '" + function + "' not found in the Lua module")))
                .onFailure(error -> HtmlErrorPage.send(context, 500, "Internal Server Error",
                        "lua@5.3a: error in " + function + ": " + error.getMessage()));
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
}
