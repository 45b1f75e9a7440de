package com.permamind.gateway.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Stands in front of an upstream's protocol endpoints and, when the upstream's fault switch picks a
 * request, spoils the answer the way real nodes and compute units do.
 */
final class FaultResponder {

    private static final String HTML_PAGE = "<html><head><title>502 Bad Gateway</title></head>"
            + "<body><h1>Bad Gateway</h1><p>nginx</p></body></html>";
    /** Long enough that half of it is clearly cut short, and JSON-looking so only the length gives it away. */
    private static final byte[] TRUNCATED_PAYLOAD = ("{\"ok\":true,\"data\":{\"padding\":\"" + "x".repeat(4000) + "\"}}")
            .getBytes(StandardCharsets.UTF_8);

    private static final String ANSWER_DUE = "simulatorAnswerDue";
    /** What a huge body sends in all: far more than any answer of the registry, and than the gateway's bounds. */
    static final long HUGE_BODY_BYTES = 64L << 20;
    private static final Buffer HUGE_BODY_CHUNK = Buffer.buffer("x".repeat(64 << 10));

    private final Vertx vertx;
    private final Upstream upstream;
    private final UpstreamFaults faults;

    FaultResponder(Vertx vertx, Upstream upstream, UpstreamFaults faults) {
        this.vertx = vertx;
        this.upstream = upstream;
        this.faults = faults;
    }

    /**
     * Runs {@code answer}, the protocol's reply, once the request's simulated latency has passed
     * since it arrived: a slow upstream works on the request during its latency, as a real node or
     * compute unit does, so what it computes (a Search-Skills reply of megabytes) is part of that
     * time, not added to it. Without a latency the reply goes at once.
     */
    static void whenDue(RoutingContext context, Runnable answer) {
        Long due = context.get(ANSWER_DUE);
        // rounded up: a timer of whole milliseconds must not answer before the latency has passed
        long remainingMillis = due == null ? 0 : (due - System.nanoTime() + 999_999) / 1_000_000;
        if (remainingMillis > 0) {
            context.vertx().setTimer(remainingMillis, timer -> answer.run());
        } else {
            answer.run();
        }
    }

    void handle(RoutingContext context) {
        faults.forNextRequest().ifPresentOrElse(fault -> {
            long delay = fault.drawDelayMillis();
            if (fault.mode() == FaultMode.SLOW) {
                context.put(ANSWER_DUE, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay));
                context.next();
            } else if (delay > 0) {
                vertx.setTimer(delay, timer -> apply(fault, context));
            } else {
                apply(fault, context);
            }
        }, context::next);
    }

    private void apply(Fault fault, RoutingContext context) {
        HttpServerResponse response = context.response();
        switch (fault.mode()) {
            case SLOW -> throw new IllegalStateException("a slow answer is held by whenDue, not here");
            case STATUS -> answerStatus(fault, response);
            case NON_JSON -> response.putHeader("Content-Type", "text/html").end(HTML_PAGE);
            case TRUNCATED_BODY -> {
                response.putHeader("Content-Type", "application/json")
                        .putHeader("Content-Length", String.valueOf(TRUNCATED_PAYLOAD.length))
                        .write(Buffer.buffer(TRUNCATED_PAYLOAD).slice(0, TRUNCATED_PAYLOAD.length / 2))
                        .onComplete(written -> context.request().connection().close());
            }
            // a request that was already in flight when the port closed: cut it like a reset
            case CONNECTION_REFUSED -> context.request().connection().close();
            case HANG -> {
                // never answer: only the client's timeout or stop() ends the exchange
            }
            case HUGE_BODY -> {
                response.setChunked(true).putHeader("Content-Type", "application/json");
                response.write("{\"ok\":true,\"data\":{\"padding\":\"");
                writeHuge(response, HUGE_BODY_BYTES, faults);
            }
        }
    }

    // chunk after chunk, each once the client has taken the ones before: the simulator holds no more than a few
    private static void writeHuge(HttpServerResponse response, long remaining, UpstreamFaults faults) {
        while (remaining > 0 && !response.writeQueueFull()) {
            if (response.closed()) {
                return;
            }
            response.write(HUGE_BODY_CHUNK).onSuccess(written -> faults.hugeBodySent(HUGE_BODY_CHUNK.length()));
            remaining -= HUGE_BODY_CHUNK.length();
        }
        if (remaining <= 0) {
            response.end("\"}}");
            return;
        }
        long left = remaining;
        response.drainHandler(drained -> writeHuge(response, left, faults));
    }

    private void answerStatus(Fault fault, HttpServerResponse response) {
        response.setStatusCode(fault.status());
        if (fault.status() == 429 || fault.status() == 503) {
            response.putHeader("Retry-After", "1");
        }
        String reason = "simulated " + upstream.id() + " failure: HTTP " + fault.status();
        if (fault.body() != null) {
            String type = fault.body().stripLeading().startsWith("{") ? "application/json" : "text/plain";
            response.putHeader("Content-Type", type).end(fault.body());
        } else if (upstream != Upstream.HYPERBEAM) {
            response.putHeader("Content-Type", "application/json").end("{\"error\":\"" + reason + "\"}");
        } else {
            response.putHeader("Content-Type", "text/plain").end(reason);
        }
    }
}
