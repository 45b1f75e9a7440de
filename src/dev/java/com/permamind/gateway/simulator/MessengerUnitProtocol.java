package com.permamind.gateway.simulator;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A legacy AO messenger unit's {@code POST /} (contract §6): a signed ANS-104 message as
 * {@code application/octet-stream}, answered 202 with its id once taken; a bad item is refused
 * with 400 and {@code {"error"}}.
 */
final class MessengerUnitProtocol implements UpstreamProtocol {

    private final MessageIntake intake;

    MessengerUnitProtocol(MessageIntake intake) {
        this.intake = intake;
    }

    @Override
    public String functionOf(RoutingContext context) {
        return "message";
    }

    @Override
    public void answer(RoutingContext context) {
        if (context.request().method() != HttpMethod.POST || !"/".equals(context.request().path())) {
            json(context, 404, new JsonObject().put("error", "Not Found"));
            return;
        }
        if (!"application/octet-stream".equals(context.request().getHeader("Content-Type"))) {
            json(context, 400, new JsonObject().put("error", "the message must be application/octet-stream"));
            return;
        }
        MessageIntake.Verdict verdict = intake.take(MessageIntake.body(context),
                MessageIntake.Transport.MESSENGER_UNIT);
        if (verdict.taken()) {
            json(context, 202, new JsonObject().put("id", verdict.message().id()).put("message", "Processing message"));
        } else {
            json(context, verdict.status(), new JsonObject().put("error", verdict.reason()));
        }
    }

    private static void json(RoutingContext context, int status, JsonObject body) {
        FaultResponder.whenDue(context, () -> context.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json").end(body.encode()));
    }
}
