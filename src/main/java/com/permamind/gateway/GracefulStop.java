package com.permamind.gateway;

import io.vertx.core.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Route;
import org.apache.camel.component.kafka.KafkaConsumer;
import org.apache.camel.component.platform.http.DefaultPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stop (SIGTERM, Ctrl-C) does before Camel's graceful shutdown, which suspends the consumers
 * and waits up to {@code camel.main.shutdown-timeout} for the exchanges in flight:
 * <ol>
 * <li>the API stops taking requests: a request that arrives from now on is answered 503 with
 * {@code Retry-After}, while the ones in flight go on to their answers; this also covers the moment
 * between Camel removing the routes from the HTTP server and closing it, which would otherwise answer
 * 404;</li>
 * <li>the Kafka consumers (the download events forwarder) are stopped, not suspended: a suspended
 * camel-kafka consumer goes on through the rest of the records of its last poll (up to
 * {@code download-events.forwarder.max-poll-records}, each a call to HyperBEAM), so the shutdown
 * would wait out its whole timeout and then interrupt a delivery, the commits and the producers'
 * flush. Stopped, a consumer finishes the event under way, then closes, which sends the offsets it
 * committed. Bounded by the shutdown timeout.</li>
 * </ol>
 * Then Camel's shutdown: in-flight reads and event POSTs finish, the Kafka producers are closed
 * (flushed), the HTTP server closes.
 */
public class GracefulStop extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);
    /** Logged once new requests are answered 503. */
    public static final String STOPPING = "Stopping: new API requests are answered 503";

    @Override
    public void beforeStop(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        if (context == null || !context.isStarted()) {
            return;
        }
        List<Route> routes = context.getRoutes();
        for (Route route : routes) {
            // a suspended HTTP consumer answers 503 (camel-platform-http-vertx); the routes of the
            // management port (health, metrics) are not routes of the context and go on answering
            if (route.getConsumer() instanceof DefaultPlatformHttpConsumer http) {
                ServiceHelper.suspendService(http);
            }
        }
        answerUnroutedRequests(context);
        LOG.info(STOPPING + "; the requests in flight go on, Kafka consumers stop after their event under way");

        List<Consumer> kafkaConsumers = routes.stream().map(Route::getConsumer)
                .filter(KafkaConsumer.class::isInstance).toList();
        if (kafkaConsumers.isEmpty()) {
            return;
        }
        long timeoutMillis = context.getShutdownStrategy().getTimeUnit()
                .toMillis(context.getShutdownStrategy().getTimeout());
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(
                () -> kafkaConsumers.forEach(ServiceHelper::stopService));
        try {
            stopped.get(timeoutMillis, TimeUnit.MILLISECONDS);
            LOG.info("Kafka consumers stopped; their offsets are committed");
        } catch (TimeoutException e) {
            LOG.warn("Kafka consumers still stopping after {} ms: the shutdown goes on without them", timeoutMillis);
        } catch (ExecutionException e) {
            LOG.warn("Stopping the Kafka consumers failed: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // the last handler of the API's router: reached only by requests no route takes, which while
    // stopping includes those of the routes already removed
    private static void answerUnroutedRequests(CamelContext context) {
        try {
            int port = Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}"));
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                    VertxPlatformHttpRouter.getRouterNameFromPort(port));
            if (router == null) {
                return;
            }
            String retryAfter = context.resolvePropertyPlaceholders("{{gateway.retry-after-seconds}}");
            router.route().last().handler(request -> request.response().setStatusCode(503)
                    .putHeader(HttpHeaders.RETRY_AFTER, retryAfter).putHeader(HttpHeaders.CONNECTION, "close").end());
        } catch (RuntimeException e) {
            LOG.debug("No stopping answer on the API router: {}", e.toString());
        }
    }
}
