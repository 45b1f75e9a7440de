package com.permamind.gateway;

import com.permamind.gateway.cache.CacheFront;
import com.permamind.gateway.http.EventLoopHttpEngine;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
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
 * route sees it, where the contract wants a 400 problem answer from the gateway.</li>
 * </ul>
 */
public class HttpServerVertx extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServerVertx.class);

    private Vertx vertx;
    private EventLoopHttpEngine engine;
    private int apiPort;
    // set once the context started; until then, and without it, every request goes to the router
    private volatile CacheFront front;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        int maxRequestLine = Integer.parseInt(context.resolvePropertyPlaceholders("{{gateway.max-request-line}}"));
        apiPort = Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}"));
        vertx = configuringServers(Vertx.vertx(), maxRequestLine);
        context.getRegistry().bind("vertx", Vertx.class, vertx);
        engine = new EventLoopHttpEngine();
        context.getRegistry().bind(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME, PlatformHttpEngine.class, engine);
        LOG.info("HTTP server: routes start on the event loop, request lines up to {} bytes", maxRequestLine);
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

    private Vertx configuringServers(Vertx vertx, int maxRequestLine) {
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
                        server.requestHandler(api ? request -> {
                            if (!answeredByFront(request)) {
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
