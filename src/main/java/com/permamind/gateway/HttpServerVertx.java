package com.permamind.gateway;

import com.permamind.gateway.cache.CacheFront;
import com.permamind.gateway.http.EventLoopHttpEngine;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
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
 * upstream hop to the {@code upstreamReads} pool, so Vert.x's own worker pool keeps its default size;</li>
 * <li>a request whose answer is a cache hit is answered by {@link CacheFront} before its route;</li>
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

    // the routes' REST configuration and the cache exist once the configuration is done, and the
    // consumers the engine creates when the routes start take the front as their first handler
    @Override
    public void afterConfigure(BaseMainSupport main) {
        CacheFront front = main.getCamelContext().getRegistry().lookupByNameAndType("responseCacheFront", CacheFront.class);
        if (front != null) {
            engine.setHandlers(List.of(front));
        }
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
