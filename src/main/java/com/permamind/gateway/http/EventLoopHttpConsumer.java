package com.permamind.gateway.http;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.TypeConverter;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.MessageHelper;
import org.apache.camel.support.http.HttpUtil;
import org.apache.camel.support.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a route from the Vert.x event loop that received the request, asynchronously, and writes
 * its answer when the route is done.
 *
 * <p>Camel's consumer hands every request to a Vert.x worker thread first, because a route might
 * block. Ours know where they block: a registry read answered from the cache never does, and one
 * that goes upstream hops to a pool sized for upstream latency with the {@code threads} EIP
 * (routes/registry-query.yaml). So a cache hit costs no thread hand-over at all, and the worker
 * pool no longer has to be sized for slow reads, which made every hand-over dearer.
 *
 * <p>A route run here must not block: anything that may wait goes behind a {@code threads} step.
 */
public class EventLoopHttpConsumer extends VertxPlatformHttpConsumer {

    /**
     * Exchange property holding the request's {@code HttpServerResponse}: a route that waited for
     * a thread can ask {@code closed()} whether its client is still there to be answered.
     */
    public static final String CLIENT_RESPONSE = "clientResponse";
    /**
     * Whether the request's client went away while its route waited: the route's check, bound as
     * {@code clientGone}. A predicate bean, not a simple expression calling {@code closed()}, which
     * the simple language invokes by reflection (it showed in the profile of uncached reads).
     */
    public static final Predicate CLIENT_GONE = exchange ->
            exchange.getProperty(CLIENT_RESPONSE) instanceof HttpServerResponse response && response.closed();
    private static final Logger LOG = LoggerFactory.getLogger(EventLoopHttpConsumer.class);

    private final String exposedHeaders;
    private final ApiCors.AllowedOrigins origins;

    public EventLoopHttpConsumer(PlatformHttpEndpoint endpoint, Processor processor,
            List<Handler<RoutingContext>> handlers, String routerName) {
        super(endpoint, processor, handlers, routerName);
        this.exposedHeaders = ApiCors.exposedHeaders(endpoint.getCamelContext().getRestConfiguration());
        this.origins = ApiCors.allowedOrigins(endpoint.getCamelContext().getRestConfiguration());
    }

    @Override
    protected void handleRequest(RoutingContext ctx) {
        if (isSuspended()) {
            ctx.response().setStatusCode(503).end();
            return;
        }
        Context eventLoop = Vertx.currentContext();
        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        exchange.setProperty(CLIENT_RESPONSE, ctx.response());
        processHttpRequest(exchange, ctx).onComplete(read -> {
            if (read.failed()) {
                fail(ctx, exchange, read.cause());
                return;
            }
            try {
                createUoW(exchange);
            } catch (Exception e) {
                fail(ctx, exchange, e);
                return;
            }
            getAsyncProcessor().process(exchange, doneSync -> {
                if (doneSync || eventLoop == null) {
                    answer(ctx, exchange);
                } else {
                    eventLoop.runOnContext(ignored -> answer(ctx, exchange));
                }
            });
        });
    }

    private void answer(RoutingContext ctx, Exchange exchange) {
        try {
            if (!ctx.response().ended() && !ctx.response().closed()) {
                write(ctx, exchange);
            }
        } catch (RuntimeException e) {
            LOG.error("failed to write the answer of {}", getEndpoint().getPath(), e);
            if (!ctx.response().headWritten()) {
                ctx.response().setStatusCode(500).end();
            }
        } finally {
            done(exchange);
        }
    }

    // The platform-http answer, as Camel writes it, minus what these routes never use (streams,
    // cookies); a body of known length goes out with a Content-Length, never chunked.
    private void write(RoutingContext ctx, Exchange exchange) {
        Message message = exchange.getMessage();
        HttpServerResponse response = ctx.response();
        Object body = exchange.getException() != null ? null : message.getBody();
        response.setStatusCode(HttpUtil.determineResponseCode(exchange, body));
        HeaderFilterStrategy filter = getEndpoint().getHeaderFilterStrategy();
        if (filter != null) {
            copyHeaders(response, ctx.pathParams(), message, filter, exchange);
        }
        if (response.headers().contains(ApiCors.ALLOW_ORIGIN)) {
            allowOrigin(response, ctx.request().getHeader("Origin"));
        }
        if (exchange.getException() != null) {
            // an exception no route handled: nothing of it reaches the client
            LOG.error("{} failed with an unhandled exception", getEndpoint().getPath(), exchange.getException());
            response.end();
            return;
        }
        String contentType = MessageHelper.getContentType(message);
        if (contentType != null && body != null) {
            response.putHeader("Content-Type", contentType);
        }
        if (body == null) {
            response.end();
        } else if (body instanceof Buffer buffer) {
            response.end(buffer);
        } else if (body instanceof String text) {
            response.end(text);
        } else if (body instanceof byte[] bytes) {
            response.end(Buffer.buffer(bytes));
        } else {
            byte[] bytes = exchange.getContext().getTypeConverter().convertTo(byte[].class, exchange, body);
            if (bytes == null) {
                throw new IllegalStateException("cannot write a body of " + body.getClass() + " as HTTP");
            }
            response.end(Buffer.buffer(bytes));
        }
    }

    // Camel's binding wrote the configured list as it is: the request's origin if the list holds it
    private void allowOrigin(HttpServerResponse response, String origin) {
        String allowed = origins.allowedOrigin(origin);
        if (allowed == null) {
            response.headers().remove(ApiCors.ALLOW_ORIGIN);
        } else {
            response.putHeader(ApiCors.ALLOW_ORIGIN, allowed);
        }
        if (origins.variesByOrigin()) {
            response.headers().add("Vary", "Origin");
        }
        if (exposedHeaders != null) {
            response.putHeader(ApiCors.EXPOSE_HEADERS, exposedHeaders);
        }
    }

    private static void copyHeaders(HttpServerResponse response, Map<String, String> pathParams, Message message,
            HeaderFilterStrategy filter, Exchange exchange) {
        TypeConverter converter = exchange.getContext().getTypeConverter();
        for (Map.Entry<String, Object> header : message.getHeaders().entrySet()) {
            String name = header.getKey();
            if (pathParams.containsKey(name)) {
                continue;
            }
            Iterator<?> values = ObjectHelper.createIterator(header.getValue(), null, true);
            HttpUtil.applyHeader(filter, exchange, values, converter, name, (all, first) -> {
                if (all != null) {
                    response.putHeader(name, all);
                } else if (first != null) {
                    response.putHeader(name, first);
                }
            });
        }
    }

    private void fail(RoutingContext ctx, Exchange exchange, Throwable failure) {
        getExceptionHandler().handleException("Failed handling platform-http endpoint " + getEndpoint().getPath(),
                failure);
        ctx.fail(failure);
        done(exchange);
    }

    private void done(Exchange exchange) {
        doneUoW(exchange);
        releaseExchange(exchange, false);
    }
}
