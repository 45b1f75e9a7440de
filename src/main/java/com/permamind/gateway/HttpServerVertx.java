package com.permamind.gateway;

import com.permamind.gateway.cache.CacheFront;
import com.permamind.gateway.http.AnswerWriter;
import com.permamind.gateway.http.ApiCors;
import com.permamind.gateway.http.ApiHttpServer;
import com.permamind.gateway.http.ConnectionGuard;
import com.permamind.gateway.http.EventLoopHttpEngine;
import com.permamind.gateway.http.RequestBodyLimit;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.main.DefaultMainHttpServerFactory;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.HttpManagementServerConfigurationProperties;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.apache.camel.main.MainHttpServerFactory;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.util.function.Suppliers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's HTTP server as the gateway needs it, put in the registry before camel-main makes it
 * (it does so before configuration classes bind their beans):
 * <ul>
 * <li>camel-main makes the API's server through this {@link MainHttpServerFactory}: an
 * {@link ApiHttpServer} (the management server is Camel's own);</li>
 * <li>the engine runs routes from the event loop ({@link EventLoopHttpEngine}), and every API
 * answer is written by one {@link AnswerWriter};</li>
 * <li>once the context started, cache hits are answered before the router ({@link CacheFront}),
 * unless the server authenticates requests, which is the router's work: then Camel's own server
 * serves the API, and every request goes through the router and the routes.</li>
 * </ul>
 */
public class HttpServerVertx extends MainListenerSupport implements MainHttpServerFactory {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServerVertx.class);

    private final DefaultMainHttpServerFactory camels = new DefaultMainHttpServerFactory();
    private Vertx vertx;
    private ApiHttpServer apiServer;
    private AnswerWriter writer;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        camels.setCamelContext(context);
        vertx = Vertx.vertx();
        context.getRegistry().bind("vertx", Vertx.class, vertx);
        context.getRegistry().bind("apiHttpServerFactory", MainHttpServerFactory.class, this);
        writer = new AnswerWriter(Suppliers.memorize(() -> new ApiCors(context.getRestConfiguration())));
        context.getRegistry().bind("answerWriter", AnswerWriter.class, writer);
        context.getRegistry().bind(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME, PlatformHttpEngine.class,
                new EventLoopHttpEngine(Integer.parseInt(setting(context, "camel.server.port")), writer));
    }

    @Override
    public Service newHttpServer(CamelContext context, HttpServerConfigurationProperties configuration) {
        if (configuration.isAuthenticationEnabled()) {
            LOG.info("The API server authenticates requests: Camel's own server serves them, all through its router");
            return camels.newHttpServer(context, configuration);
        }
        VertxPlatformHttpServerConfiguration server = new VertxPlatformHttpServerConfiguration();
        server.setBindHost(configuration.getHost());
        server.setBindPort(configuration.getPort());
        server.setPath(configuration.getPath());
        server.setMaxBodySize(configuration.getMaxBodySize());
        int maxRequestLine = Integer.parseInt(setting(context, "gateway.max-request-line"));
        int idleSeconds = Integer.parseInt(setting(context, "gateway.idle-timeout-seconds"));
        int readSeconds = Integer.parseInt(setting(context, "gateway.request-read-timeout-seconds"));
        int maxConnections = Integer.parseInt(setting(context, "gateway.max-connections"));
        long downloadBodyBytes = Long.parseLong(setting(context, "download-events.max-body-bytes"));
        apiServer = new ApiHttpServer(server, maxRequestLine, idleSeconds,
                new ConnectionGuard(maxConnections, Duration.ofSeconds(readSeconds), Duration.ofSeconds(idleSeconds)), new RequestBodyLimit(downloadBodyBytes));
        apiServer.setCamelContext(context);
        context.getRegistry().bind("apiHttpServer", ApiHttpServer.class, apiServer);
        LOG.info("API server: routes start on the event loop; it holds at most {} connections, reads each request within"
                + " {} s and takes no body but a download event's, of at most {} bytes", maxConnections, readSeconds,
                downloadBodyBytes);
        return apiServer;
    }

    @Override
    public Service newHttpManagementServer(CamelContext context, HttpManagementServerConfigurationProperties configuration) {
        return camels.newHttpManagementServer(context, configuration);
    }

    private static String setting(CamelContext context, String key) {
        return context.resolvePropertyPlaceholders("{{" + key + "}}");
    }

    // Before this, for the moments between the routes' start and the context's, hits are answered
    // by the routes, as the same hits the front declines.
    @Override
    public void afterStart(BaseMainSupport main) {
        CacheFront front = main.getCamelContext().getRegistry().lookupByNameAndType("responseCacheFront", CacheFront.class);
        if (apiServer != null && front != null) {
            apiServer.answerHitsBy(front);
        }
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        if (vertx != null) {
            vertx.close();
        }
    }
}
