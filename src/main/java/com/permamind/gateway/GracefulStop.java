package com.permamind.gateway;

import com.permamind.gateway.cache.CacheFront;
import com.permamind.gateway.http.EventLoopHttpEngine;
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
 * <li>the API stops taking requests: the cache front stops answering hits, and a handler put first
 * on its router answers every request that arrives from now on 503 with {@code Retry-After}, cache
 * hits included, and later the requests for routes Camel has already removed (which would get a
 * 404); the requests in flight go on to their answers;</li>
 * <li>the Kafka consumers (the download events forwarder) are stopped, not suspended: a suspended
 * camel-kafka consumer goes on through the rest of the records of its last poll (up to
 * {@code download-events.forwarder.max-poll-records}, each a call to HyperBEAM), so the shutdown
 * would wait out its whole timeout and then interrupt a delivery, the commits and the producers'
 * flush. Stopped, a consumer finishes the deliveries of the poll under way, then closes, which
 * sends the offsets it committed. Bounded by the shutdown timeout.</li>
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
        refuseNewRequests(context);
        LOG.info(STOPPING + "; the requests in flight go on, Kafka consumers stop after the poll under way");

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

    // first on the API's router, before the routes' own handlers; the cache front, before the
    // router, now sends every request on to it
    private static void refuseNewRequests(CamelContext context) {
        CacheFront front = context.getRegistry().lookupByNameAndType("responseCacheFront", CacheFront.class);
        if (front != null) {
            front.stopAnswering();
        }
        try {
            VertxPlatformHttpRouter router = EventLoopHttpEngine.apiRouter(context);
            if (router == null) {
                LOG.warn("No API router: requests arriving during the stop are not refused");
                return;
            }
            String retryAfter = context.resolvePropertyPlaceholders("{{gateway.retry-after-seconds}}");
            router.route().order(Integer.MIN_VALUE).handler(request -> request.response().setStatusCode(503)
                    .putHeader(HttpHeaders.RETRY_AFTER, retryAfter).putHeader(HttpHeaders.CONNECTION, "close").end());
        } catch (RuntimeException e) {
            LOG.warn("Requests arriving during the stop are not refused: {}", e.toString());
        }
    }
}
