package com.permamind.gateway;

import com.permamind.gateway.cache.CacheFront;
import com.permamind.gateway.http.ConnectionGuard;
import com.permamind.gateway.http.EventLoopHttpEngine;
import com.permamind.gateway.http.RequestBodyLimit;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;
import io.vertx.ext.web.Router;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's HTTP server as the gateway needs it, put in the registry before the server starts
 * (camel-main starts it before configuration classes bind their beans):
 * <ul>
 * <li>the engine runs routes from the event loop ({@link EventLoopHttpEngine}), and reads that go
 * upstream hop to virtual threads ({@code upstreamReads}), so Vert.x's own worker pool keeps its default size;</li>
 * <li>a request whose answer is a cache hit is answered by {@link CacheFront} as the API's server
 * receives it, before its router (unless the server authenticates requests, which is the router's
 * work: then every request goes through the router and the routes);</li>
 * <li>the servers Vert.x creates read request lines up to {@code gateway.max-request-line}: Camel
 * creates them with Vert.x defaults, which answer a line over 4 KB with a bare 431 before any
 * route sees it, where the contract wants a 400 problem answer from the gateway;</li>
 * <li>their connections close after {@code gateway.idle-timeout-seconds} without a byte either way;
 * the API's server holds at most {@code gateway.max-connections}, each request read within
 * {@code gateway.request-read-timeout-seconds} ({@link ConnectionGuard});</li>
 * <li>a request with more body than its route takes is answered 413 before anything reads its
 * body ({@link RequestBodyLimit}), ahead of the cache front too.</li>
 * </ul>
 */
public class HttpServerVertx extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServerVertx.class);

    private Vertx vertx;
    private EventLoopHttpEngine engine;
    private int apiPort;
    private RequestBodyLimit bodyLimit;
    private ConnectionGuard connectionGuard;
    // set once the context started; until then, and without it, every request goes to the router
    private volatile CacheFront front;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        int maxRequestLine = Integer.parseInt(setting(context, "gateway.max-request-line"));
        int idleSeconds = Integer.parseInt(setting(context, "gateway.idle-timeout-seconds"));
        int readSeconds = Integer.parseInt(setting(context, "gateway.request-read-timeout-seconds"));
        int maxConnections = Integer.parseInt(setting(context, "gateway.max-connections"));
        long downloadBodyBytes = Long.parseLong(setting(context, "download-events.max-body-bytes"));
        apiPort = Integer.parseInt(setting(context, "camel.server.port"));
        bodyLimit = new RequestBodyLimit(downloadBodyBytes);
        connectionGuard = new ConnectionGuard(maxConnections, Duration.ofSeconds(readSeconds));
        vertx = configuringServers(Vertx.vertx(), maxRequestLine, idleSeconds);
        context.getRegistry().bind("vertx", Vertx.class, vertx);
        engine = new EventLoopHttpEngine();
        context.getRegistry().bind(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME, PlatformHttpEngine.class, engine);
        LOG.info("HTTP server: routes start on the event loop, request lines up to {} bytes; connections close after"
                + " {} s idle; the API's server holds at most {} connections, reads each request within {} s and takes"
                + " no body but a download event's, of at most {} bytes", maxRequestLine, idleSeconds, maxConnections,
                readSeconds, downloadBodyBytes);
    }

    private static String setting(CamelContext context, String key) {
        return context.resolvePropertyPlaceholders("{{" + key + "}}");
    }

    // Before this, for the moments between the routes' start and the context's, hits are answered
    // by the routes, as the same hits the front declines.
    @Override
    public void afterStart(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        CacheFront cacheFront = context.getRegistry().lookupByNameAndType("responseCacheFront", CacheFront.class);
        if (cacheFront == null) {
            return;
        }
        if (main.configure().httpServer().isAuthenticationEnabled()) {
            LOG.info("The API server authenticates requests: cache hits go through the router and their routes");
            return;
        }
        front = cacheFront;
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        if (vertx != null) {
            vertx.close();
        }
    }

    private Vertx configuringServers(Vertx vertx, int maxRequestLine, int idleSeconds) {
        return (Vertx) Proxy.newProxyInstance(HttpServerVertx.class.getClassLoader(),
                new Class<?>[] {VertxInternal.class}, (proxy, method, args) -> {
                    if (method.getName().equals("createHttpServer") && args != null && args.length == 1
                            && args[0] instanceof HttpServerOptions options) {
                        options.setMaxInitialLineLength(Math.max(options.getMaxInitialLineLength(), maxRequestLine));
                        // Netty counts the request line against the header size limit as well,
                        // and an HTTP/2 (h2c) request carries it in its header list
                        options.setMaxHeaderSize(Math.max(options.getMaxHeaderSize(), maxRequestLine));
                        options.getInitialSettings().setMaxHeaderListSize(
                                Math.max(options.getInitialSettings().getMaxHeaderListSize(), maxRequestLine));
                        options.setIdleTimeout(idleSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS);
                        // HTTP/1.1 from the first byte, so that ConnectionGuard sees a connection as
                        // it is accepted; browsers speak HTTP/2 only over TLS, which a proxy in front ends
                        options.setHttp2ClearTextEnabled(false);
                        return cacheFrontFirst((HttpServer) invoke(vertx, method, args));
                    }
                    return invoke(vertx, method, args);
                });
    }

    // Camel sets the router as the server's request handler, then listens: on the API's port, the
    // handler the server gets asks the cache front first.
    private HttpServer cacheFrontFirst(HttpServer server) {
        AtomicReference<Handler<HttpServerRequest>> router = new AtomicReference<>();
        return (HttpServer) Proxy.newProxyInstance(HttpServerVertx.class.getClassLoader(),
                new Class<?>[] {HttpServer.class}, (proxy, method, args) -> {
                    if (method.getName().equals("requestHandler") && args != null && args.length == 1) {
                        @SuppressWarnings("unchecked")
                        Handler<HttpServerRequest> handler = (Handler<HttpServerRequest>) args[0];
                        router.set(handler);
                        return proxy;
                    }
                    if (method.getName().equals("listen") && router.get() != null) {
                        Handler<HttpServerRequest> handler = router.get();
                        boolean api = args != null && args.length > 0 && args[0] instanceof Integer port && port == apiPort;
                        if (api) {
                            server.connectionHandler(connectionGuard::accept);
                            // a chunked body that grows past camel.server.max-body-size: Vert.x's body handler
                            // fails it with 413, which reaches the error handlers of the server's root router
                            if (handler instanceof Router root) {
                                root.errorHandler(413, failed -> bodyLimit.refuse(failed.request()));
                            }
                        }
                        server.requestHandler(api ? request -> {
                            if (!bodyLimit.refused(request) && !answeredByFront(request)) {
                                handler.handle(request);
                            }
                        } : handler);
                        router.set(null);
                    }
                    Object result = invoke(server, method, args);
                    return result == server ? proxy : result;
                });
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

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
