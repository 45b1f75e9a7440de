package com.permamind.gateway.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code /__admin/...} on each upstream's port: switch faults and read counters at run time, for
 * manual runs and tests in other processes. {@code ?upstream=hyperbeam|cu|mu} addresses another
 * upstream, which is how a refused port gets restored over HTTP. The registry process's writes that
 * the gateway never sends (Register-Skill, Update-Skill, each followed by a patch) are here too.
 *
 * <pre>
 * POST   /__admin/faults    body: a fault (see {@link FaultJson}); answers the fault now in force
 * GET    /__admin/faults    {"fault": {...} | null}
 * DELETE /__admin/faults    clears it (rebinds a refused port)
 * GET    /__admin/calls     {"calls": {function: count}}
 * GET    /__admin/requests  {"requests": [{method, path, query, body, function}]}
 * DELETE /__admin/calls     resets counters and the request log
 * GET    /__admin/node      the HyperBEAM node's rules ({@link NodeRules}), from either port
 * PUT    /__admin/node      body: the rules to change, e.g. {"price":10,"balance":0}; answers them all
 * GET    /__admin/messages  {"messages": [signed messages the process took]}
 * POST   /__admin/skills/register  body: a version record {name, version, ...}; 204, then the state is patched
 * POST   /__admin/skills/update    body: a version record of a registered version; 204, downloads reset, patched
 * </pre>
 */
final class AdminEndpoint {

    static final String PREFIX = "/__admin";

    private final Upstream self;
    private final Map<Upstream, UpstreamFaults> faults;
    private final Map<Upstream, CallLog> callLogs;
    private final NodeRulesSwitch nodeRules;
    private final RegistrySimulator simulator;
    private final ObjectMapper mapper;

    AdminEndpoint(Upstream self, Map<Upstream, UpstreamFaults> faults, Map<Upstream, CallLog> callLogs,
                  NodeRulesSwitch nodeRules, RegistrySimulator simulator, ObjectMapper mapper) {
        this.self = self;
        this.faults = faults;
        this.callLogs = callLogs;
        this.nodeRules = nodeRules;
        this.simulator = simulator;
        this.mapper = mapper;
    }

    void mount(Router router) {
        router.post(PREFIX + "/faults").handler(this::injectFault);
        router.get(PREFIX + "/faults").handler(context -> json(context, currentFault(target(context))));
        router.delete(PREFIX + "/faults").handler(context -> switched(context, faults.get(target(context)).clearAsync()));
        router.get(PREFIX + "/calls").handler(context -> json(context, mapper.createObjectNode()
                .set("calls", mapper.valueToTree(callLogs.get(target(context)).callsByFunction()))));
        router.get(PREFIX + "/requests").handler(context -> json(context, mapper.createObjectNode()
                .set("requests", mapper.valueToTree(callLogs.get(target(context)).requests()))));
        router.delete(PREFIX + "/calls").handler(context -> {
            callLogs.get(target(context)).reset();
            context.response().setStatusCode(204).end();
        });
        router.get(PREFIX + "/node").handler(context -> json(context, nodeRules.current().toJson(mapper)));
        router.put(PREFIX + "/node").handler(this::switchNodeRules);
        router.get(PREFIX + "/messages").handler(context -> json(context, mapper.createObjectNode()
                .set("messages", mapper.valueToTree(simulator.messages()))));
        router.post(PREFIX + "/skills/register").handler(context -> write(context, simulator::registerSkill));
        router.post(PREFIX + "/skills/update").handler(context -> write(context, simulator::updateSkill));
        router.route(PREFIX + "/*").handler(context -> error(context, 404, "no such admin endpoint"));
        router.route(PREFIX + "/*").failureHandler(this::failed);
    }

    private void injectFault(RoutingContext context) {
        Upstream upstream = target(context);
        Fault fault;
        try {
            fault = FaultJson.read(mapper.readTree(context.body().asString()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            error(context, 400, e.getMessage());
            return;
        }
        if (upstream == self && fault.mode() == FaultMode.CONNECTION_REFUSED) {
            // closing the port closes this connection too, so answer before the fault takes hold
            json(context, mapper.createObjectNode().set("fault", FaultJson.write(fault, mapper)))
                    .onComplete(answered -> faults.get(upstream).injectAsync(fault));
            return;
        }
        faults.get(upstream).injectAsync(fault)
                .onSuccess(ignored -> json(context, currentFault(upstream)))
                .onFailure(context::fail);
    }

    private void switchNodeRules(RoutingContext context) {
        NodeRules rules;
        try {
            rules = nodeRules.current().with(mapper.readTree(context.body().asString()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            error(context, 400, e.getMessage());
            return;
        }
        nodeRules.switchTo(rules);
        json(context, rules.toJson(mapper));
    }

    private void write(RoutingContext context, Consumer<ObjectNode> handler) {
        JsonNode record;
        try {
            record = mapper.readTree(context.body().asString());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            error(context, 400, "the body must be a JSON version record");
            return;
        }
        if (!(record instanceof ObjectNode object)) {
            error(context, 400, "the body must be a JSON version record");
            return;
        }
        handler.accept(object);
        context.response().setStatusCode(204).end();
    }

    /** A bad admin request (unknown upstream, mode...) is the caller's mistake: 400, not 500. */
    private void failed(RoutingContext context) {
        Throwable failure = context.failure();
        int status = failure instanceof IllegalArgumentException ? 400 : context.statusCode() > 0 ? context.statusCode() : 500;
        error(context, status, failure == null ? "admin request failed" : failure.getMessage());
    }

    private void switched(RoutingContext context, Future<Void> done) {
        done.onSuccess(ignored -> context.response().setStatusCode(204).end()).onFailure(context::fail);
    }

    private ObjectNode currentFault(Upstream upstream) {
        ObjectNode answer = mapper.createObjectNode();
        answer.set("fault", faults.get(upstream).current().map(fault -> (JsonNode) FaultJson.write(fault, mapper))
                .orElse(mapper.nullNode()));
        return answer;
    }

    private Upstream target(RoutingContext context) {
        String upstream = context.request().getParam("upstream");
        return upstream == null ? self : Upstream.fromId(upstream);
    }

    private Future<Void> json(RoutingContext context, ObjectNode body) {
        return context.response().putHeader("Content-Type", "application/json").end(body.toString());
    }

    private void error(RoutingContext context, int status, String text) {
        context.response().setStatusCode(status);
        json(context, mapper.createObjectNode().put("error", text));
    }
}
