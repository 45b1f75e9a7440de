package com.permamind.gateway.simulator;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A HyperBEAM node's {@code POST /{process}~process@1.0/push} (contract §6): an ANS-104 message
 * ({@code Content-Type: application/ans104}, {@code codec-device: ans104@1.0}) scheduled on the
 * process; the answer names its slot. A node that wants another format answers 422.
 */
final class MessagePush {

    static final String FUNCTION = "push";
    private static final String SUFFIX = "~process@1.0/push";

    private final String processId;
    private final MessageIntake intake;
    private final AtomicLong slots = new AtomicLong();

    MessagePush(String processId, MessageIntake intake) {
        this.processId = processId;
        this.intake = intake;
    }

    static boolean isPush(RoutingContext context) {
        return context.request().path().endsWith(SUFFIX);
    }

    void answer(RoutingContext context) {
        String path = context.request().path();
        if (context.request().method() != HttpMethod.POST || !path.equals("/" + processId + SUFFIX)) {
            text(context, 404, "404 Not Found: process or path not found");
            return;
        }
        if (!"application/ans104".equals(context.request().getHeader("Content-Type"))
                || !"ans104@1.0".equals(context.request().getHeader("codec-device"))) {
            text(context, 422, "422 Unprocessable Entity: send the message as application/ans104 with codec-device ans104@1.0");
            return;
        }
        MessageIntake.Verdict verdict = intake.take(MessageIntake.body(context), MessageIntake.Transport.HYPERBEAM);
        if (!verdict.taken()) {
            text(context, verdict.status(), verdict.status() + " " + verdict.reason());
            return;
        }
        String body = "{\"slot\":" + slots.getAndIncrement() + ",\"process\":\"" + processId + "\",\"id\":\""
                + verdict.message().id() + "\"}";
        FaultResponder.whenDue(context, () -> context.response().putHeader("Content-Type", "application/json").end(body));
    }

    private static void text(RoutingContext context, int status, String body) {
        FaultResponder.whenDue(context, () -> context.response().setStatusCode(status)
                .putHeader("Content-Type", "text/plain").end(body));
    }
}
