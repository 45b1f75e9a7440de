package com.permamind.gateway.http;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a route from the Vert.x event loop that received the request, asynchronously, and has the
 * {@link AnswerWriter} write its answer when the route is done.
 *
 * <p>Camel's consumer hands every request to a Vert.x worker thread first, because a route might
 * block, and that thread waits for the whole route. Ours do not block: a registry read answered
 * from the cache never waits, and one that goes upstream waits, without a thread, for its key's
 * upstream read, which runs on a virtual thread of its own (cache/ResponseCache). So a route costs
 * no thread hand-over, and no worker pool bounds the reads under way.
 *
 * <p>A route run here must not block: anything that may wait runs on a thread of its own.
 */
public class EventLoopHttpConsumer extends VertxPlatformHttpConsumer {

    /**
     * Exchange property holding the request's {@code HttpServerResponse}: a read whose turn comes
     * can ask {@code closed()} whether anyone is still there to be answered.
     */
    public static final String CLIENT_RESPONSE = "clientResponse";
    private static final Logger LOG = LoggerFactory.getLogger(EventLoopHttpConsumer.class);

    private final AnswerWriter writer;

    public EventLoopHttpConsumer(PlatformHttpEndpoint endpoint, Processor processor,
            List<Handler<RoutingContext>> handlers, String routerName, AnswerWriter writer) {
        super(endpoint, processor, handlers, routerName);
        this.writer = writer;
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
            if (exchange.getException() != null) {
                // an exception no route handled: nothing of it reaches the client
                LOG.error("{} failed with an unhandled exception", getEndpoint().getPath(), exchange.getException());
            }
            if (!ctx.response().ended() && !ctx.response().closed()) {
                int status = writer.write(ctx, exchange, getEndpoint().getHeaderFilterStrategy());
                // what the client got, a 304 included, for the request's metrics and log line
                exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
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
