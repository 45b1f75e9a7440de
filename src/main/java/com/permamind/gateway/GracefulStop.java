package com.permamind.gateway;

import com.permamind.gateway.cache.CacheFront;
import com.permamind.gateway.http.EventLoopHttpEngine;
import io.vertx.core.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Route;
import org.apache.camel.component.kafka.KafkaConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stop (SIGTERM, Ctrl-C) does before Camel's graceful shutdown, which suspends the consumers
 * and waits up to {@code camel.main.shutdown-timeout} for the exchanges in flight:
 * <ol>
 * <li>readiness ({@code /observe/health/ready}) answers DOWN, and for {@code gateway.stop-drain-millis}
 * everything else goes on as before: a load balancer checking readiness takes this gateway out of
 * its pool while it still answers, so that no client of several gateways is refused (0, the
 * default: no wait, for a gateway with no load balancer in front; docs/scale-out.md);</li>
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
    /** Logged once readiness answers DOWN, before the drain. */
    public static final String DRAINING = "Stopping: readiness is DOWN";

    private final AtomicBoolean stopping = new AtomicBoolean();

    @Override
    public void afterConfigure(BaseMainSupport main) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(main.getCamelContext());
        if (registry != null) {
            registry.register(new StoppingCheck(stopping));
        }
    }

    @Override
    public void beforeStop(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        if (context == null || !context.isStarted()) {
            return;
        }
        stopping.set(true);
        long drainMillis = Long.parseLong(context.resolvePropertyPlaceholders("{{gateway.stop-drain-millis}}").strip());
        LOG.info(DRAINING + "; requests are served {} ms more, while load balancers take this gateway out", drainMillis);
        if (drainMillis > 0) {
            try {
                Thread.sleep(drainMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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

    /** Readiness DOWN from the moment a stop begins. */
    private static final class StoppingCheck extends AbstractHealthCheck {
        private final AtomicBoolean stopping;

        StoppingCheck(AtomicBoolean stopping) {
            super("gateway", "stopping");
            this.stopping = stopping;
        }

        @Override
        public boolean isLiveness() {
            return false;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            if (stopping.get()) {
                builder.message("the gateway is stopping").down();
            } else {
                builder.up();
            }
        }
    }
}
