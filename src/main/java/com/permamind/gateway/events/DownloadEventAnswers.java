package com.permamind.gateway.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.permamind.gateway.JsonMappers;
import com.permamind.gateway.answer.CanonicalJson;
import com.permamind.gateway.answer.RegistryAnswers;
import io.vertx.core.buffer.Buffer;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code POST /api/skills/{name}/downloads} answers besides bad input (which the read routes'
 * answers already cover): 202 once Kafka holds the event, 429 over the client's rate limit, 503 when
 * Kafka could not take it in time. Problems are RFC 9457 documents; none carries a stack trace.
 */
public class DownloadEventAnswers {

    private static final Logger LOG = LoggerFactory.getLogger(DownloadEventAnswers.class);

    private final ObjectMapper json = JsonMappers.mapper();
    private final int retryAfterSeconds;

    /** @param retryAfterSeconds how long a client should wait after a 503 before posting again */
    public DownloadEventAnswers(int retryAfterSeconds) {
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public void accepted(Exchange exchange, @ExchangeProperty(DownloadEvents.EVENT_ID) String eventId) {
        Message out = cleared(exchange);
        ObjectNode body = json.createObjectNode().put("eventId", eventId);
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        out.setHeader(Exchange.CONTENT_TYPE, RegistryAnswers.JSON);
        out.setBody(Buffer.buffer(CanonicalJson.write(body)));
    }

    public void tooManyRequests(Exchange exchange) {
        TooManyDownloadsException limit = exchange.getProperty(Exchange.EXCEPTION_CAUGHT,
                TooManyDownloadsException.class);
        long retryAfter = limit == null ? 1 : limit.retryAfterSeconds();
        Message out = cleared(exchange);
        out.setHeader("Retry-After", retryAfter);
        problem(out, 429, "Too Many Requests",
                "This client has posted too many download events; try again in " + retryAfter + " s.");
    }

    public void brokerUnavailable(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.warn("download event {} not accepted: Kafka did not acknowledge it in time ({})",
                exchange.getProperty(DownloadEvents.EVENT_ID), cause == null ? "no cause" : cause.getMessage());
        Message out = cleared(exchange);
        out.setHeader("Retry-After", retryAfterSeconds);
        problem(out, 503, "Service Unavailable", "The download could not be recorded right now; try again later.");
    }

    // nothing of the request (its headers, the client's address among them) may echo back
    private static Message cleared(Exchange exchange) {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        return out;
    }

    private void problem(Message out, int status, String title, String detail) {
        ObjectNode problem = json.createObjectNode();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, RegistryAnswers.PROBLEM_JSON);
        out.setBody(Buffer.buffer(CanonicalJson.write(problem)));
    }
}
