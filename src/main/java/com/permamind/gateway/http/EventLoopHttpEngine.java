package com.permamind.gateway.http;

import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Camel's Vert.x HTTP engine, with consumers that start each route on the event loop instead of
 * a worker thread and answer through the {@link AnswerWriter}; see {@link EventLoopHttpConsumer}.
 */
public class EventLoopHttpEngine extends VertxPlatformHttpEngine {

    private final int apiPort;
    private final AnswerWriter writer;

    public EventLoopHttpEngine(int apiPort, AnswerWriter writer) {
        this.apiPort = apiPort;
        this.writer = writer;
    }

    // the API's server is no Camel-made one the engine could find in the registry
    @Override
    public int getServerPort() {
        return apiPort;
    }

    /** The router of the API's server ({@code camel.server.port}); null before that server started. */
    public static VertxPlatformHttpRouter apiRouter(CamelContext context) {
        int port = Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}"));
        return VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new EventLoopHttpConsumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()), writer);
    }
}
