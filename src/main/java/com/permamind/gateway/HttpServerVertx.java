package com.permamind.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vert.x instance under Camel's HTTP server, put in the registry before the server starts
 * (camel-main starts it before configuration classes bind their beans):
 * <ul>
 * <li>its worker pool is sized by {@code gateway.worker-threads}: a blocking upstream read holds a
 * worker for its whole duration, and the default 20 would queue the 21st concurrent read;</li>
 * <li>the servers it creates read request lines up to {@code gateway.max-request-line}: Camel
 * creates them with Vert.x defaults, which answer a line over 4 KB with a bare 431 before any
 * route sees it, where the contract wants a 400 problem answer from the gateway.</li>
 * </ul>
 */
public class HttpServerVertx extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServerVertx.class);

    private Vertx vertx;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        int workerThreads = Integer.parseInt(context.resolvePropertyPlaceholders("{{gateway.worker-threads}}"));
        int maxRequestLine = Integer.parseInt(context.resolvePropertyPlaceholders("{{gateway.max-request-line}}"));
        vertx = allowingLongRequestLines(Vertx.vertx(new VertxOptions().setWorkerPoolSize(workerThreads)),
                maxRequestLine);
        context.getRegistry().bind("vertx", Vertx.class, vertx);
        LOG.info("HTTP server Vert.x: {} worker threads, request lines up to {} bytes", workerThreads, maxRequestLine);
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
