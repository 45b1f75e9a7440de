package com.permamind.gateway;

import com.permamind.gateway.cache.CacheFront;
import com.permamind.gateway.http.EventLoopHttpEngine;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's HTTP server as the gateway needs it, put in the registry before the server starts
 * (camel-main starts it before configuration classes bind their beans):
 * <ul>
 * <li>the engine runs routes from the event loop ({@link EventLoopHttpEngine}), and reads that go
 * upstream hop to the {@code upstreamReads} pool, so Vert.x's own worker pool keeps its default size;</li>
 * <li>a request whose answer is a cache hit is answered by {@link CacheFront}, first on the API's
 * router, before Vert.x matches a route's path or sets up its body handler;</li>
 * <li>the servers Vert.x creates read request lines up to {@code gateway.max-request-line}: Camel
 * creates them with Vert.x defaults, which answer a line over 4 KB with a bare 431 before any
 * route sees it, where the contract wants a 400 problem answer from the gateway.</li>
 * </ul>
 */
public class HttpServerVertx extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServerVertx.class);

    private Vertx vertx;
    private EventLoopHttpEngine engine;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        int maxRequestLine = Integer.parseInt(context.resolvePropertyPlaceholders("{{gateway.max-request-line}}"));
        vertx = allowingLongRequestLines(Vertx.vertx(), maxRequestLine);
        context.getRegistry().bind("vertx", Vertx.class, vertx);
        engine = new EventLoopHttpEngine();
        context.getRegistry().bind(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME, PlatformHttpEngine.class, engine);
        LOG.info("HTTP server: routes start on the event loop, request lines up to {} bytes", maxRequestLine);
    }

    // The router exists once the server started. Before this, for the moments between the routes'
    // start and the context's, hits are answered by the routes, as the same hits the front declines.
    // GracefulStop's refusal goes before the front (Integer.MIN_VALUE).
    @Override
    public void afterStart(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        CacheFront front = context.getRegistry().lookupByNameAndType("responseCacheFront", CacheFront.class);
        if (front == null) {
            return;
        }
        VertxPlatformHttpRouter router = EventLoopHttpEngine.apiRouter(context);
        if (router == null) {
            LOG.warn("No API router: every cache hit goes through its route");
            return;
        }
        router.route().order(Integer.MIN_VALUE + 1).handler(front);
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        if (vertx != null) {
            vertx.close();
        }
    }

    private static Vertx allowingLongRequestLines(Vertx vertx, int maxRequestLine) {
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
                    }
                    try {
                        return method.invoke(vertx, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
