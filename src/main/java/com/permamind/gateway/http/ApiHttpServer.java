package com.permamind.gateway.http;

import com.permamind.gateway.cache.CacheFront;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's HTTP server: Camel's platform-http server (its router, which the REST DSL's routes
 * join, and its body handler), listening through a Vert.x server of our own making, because
 * Camel's is made with Vert.x's defaults and takes no handler before its router:
 * <ul>
 * <li>request lines up to {@code gateway.max-request-line} bytes: with the defaults, a line over
 * 4 KB gets a bare 431 before any route sees it, where the contract wants a 400 problem answer;</li>
 * <li>connections close after {@code gateway.idle-timeout-seconds} without a byte either way; at
 * most {@code gateway.max-connections} at once, each request read within
 * {@code gateway.request-read-timeout-seconds} ({@link ConnectionGuard});</li>
 * <li>a request with more body than its route takes is answered 413 before anything reads its
 * body ({@link RequestBodyLimit});</li>
 * <li>then a cache hit is answered by the {@link CacheFront} as the request arrives, before the
 * router: a hit is most of the gateway's traffic, and the router alone cost more than writing it.</li>
 * </ul>
 * HTTP/1.1 only from the first byte (no cleartext HTTP/2), so that the guard sees a connection as it
 * is accepted; browsers speak HTTP/2 only over TLS, which a proxy in front ends.
 */
public class ApiHttpServer extends VertxPlatformHttpServer {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHttpServer.class);
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(30);

    private final VertxPlatformHttpServerConfiguration configuration;
    private final int maxRequestLine;
    private final int idleSeconds;
    private final ConnectionGuard connectionGuard;
    private final RequestBodyLimit bodyLimit;
    private HttpServer server;
    // the event loop the server's connections are handled on, known from its first connection
    private volatile Context eventLoop;
    // set once the context started; until then, and without it, every request goes to the router
    private volatile CacheFront front;

    public ApiHttpServer(VertxPlatformHttpServerConfiguration configuration, int maxRequestLine, int idleSeconds,
            ConnectionGuard connectionGuard, RequestBodyLimit bodyLimit) {
        super(configuration);
        this.configuration = configuration;
        this.maxRequestLine = maxRequestLine;
        this.idleSeconds = idleSeconds;
        this.connectionGuard = connectionGuard;
        this.bodyLimit = bodyLimit;
    }

    /** From now on, cache hits are answered before the router (null: every request goes to the router). */
    public void answerHitsBy(CacheFront front) {
        this.front = front;
    }

    /** Runs a task on the event loop the API's requests are handled on; before the first connection, at once. */
    public void runOnEventLoop(Runnable task) {
        Context loop = eventLoop;
        if (loop == null) {
            task.run();
        } else {
            loop.runOnContext(ignored -> task.run());
        }
    }

    @Override
    public HttpServer getServer() {
        return server;
    }

    @Override
    public int getPort() {
        return server != null ? server.actualPort() : configuration.getBindPort();
    }

    @Override
    protected void startServer() throws Exception {
        HttpServerOptions options = new HttpServerOptions();
        options.setMaxInitialLineLength(Math.max(options.getMaxInitialLineLength(), maxRequestLine));
        // Netty counts the request line against the header size limit as well, and an HTTP/2
        // request carries it in its header list
        options.setMaxHeaderSize(Math.max(options.getMaxHeaderSize(), maxRequestLine));
        options.getInitialSettings().setMaxHeaderListSize(
                Math.max(options.getInitialSettings().getMaxHeaderListSize(), maxRequestLine));
        options.setIdleTimeout(idleSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS);
        options.setHttp2ClearTextEnabled(false);
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getBindPort()));
        // a chunked body that grows past camel.server.max-body-size: Vert.x's body handler fails it
        // with 413, which reaches the router's error handlers
        router.errorHandler(413, failed -> bodyLimit.refuse(failed.request()));
        server = getVertx().createHttpServer(options)
                .connectionHandler(connection -> {
                    if (eventLoop == null) {
                        eventLoop = Vertx.currentContext();
                    }
                    connectionGuard.accept(connection);
                })
                .requestHandler(request -> {
                    connectionGuard.arrived(request);
                    if (!bodyLimit.refused(request) && !answeredByFront(request)) {
                        router.handle(request);
                    }
                });
        server.listen(configuration.getBindPort(), configuration.getBindHost()).toCompletionStage().toCompletableFuture()
                .get(LISTEN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        LOG.info("API server listening on {}:{}: request lines up to {} bytes, connections closed after {} s idle",
                configuration.getBindHost(), server.actualPort(), maxRequestLine, idleSeconds);
    }

    @Override
    protected void stopServer() {
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(LISTEN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("The API server did not close cleanly: {}", e.toString());
            }
            server = null;
        }
    }

    // A failure of the front before it wrote anything leaves the request to the router and its route.
    private boolean answeredByFront(HttpServerRequest request) {
        CacheFront cacheFront = front;
        try {
            return cacheFront != null && cacheFront.answered(request);
        } catch (RuntimeException e) {
            LOG.error("The cache front failed on {}", request.path(), e);
            if (request.response().headWritten()) {
                request.connection().close();
                return true;
            }
            return false;
        }
    }
}
