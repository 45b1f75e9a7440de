package com.permamind.gateway.metrics;

import com.permamind.gateway.cache.ResponseCache;
import com.permamind.gateway.upstream.UpstreamTiming;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times every registry read from the moment its route starts until its answer is done, by query,
 * source (hyperbeam, dryrun, cache, stale, or none when nothing answered) and status class, and
 * writes one log line per request. No client address is ever part of either.
 */
public class RequestMetrics {

    private static final Logger REQUESTS = LoggerFactory.getLogger("com.permamind.gateway.requests");

    private final MeterRegistry registry;
    private final boolean logRequests;

    public RequestMetrics(MeterRegistry registry, boolean logRequests) {
        this.registry = registry;
        this.logRequests = logRequests;
    }

    public void start(Exchange exchange, @ExchangeProperty("registryQuery") String query) {
        if (exchange.getProperty(ResponseCache.REFRESH, false, Boolean.class)) {
            return;
        }
        long start = System.nanoTime();
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                record(done, query, System.nanoTime() - start);
            }
        });
    }

    private void record(Exchange exchange, String query, long nanos) {
        int status = exchange.getException() != null ? 500
                : exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
        String source = exchange.getProperty(UpstreamTiming.SOURCE, "none", String.class);
        Timer.builder("registry.requests")
                .description("Registry reads answered by the gateway, from route start to answer")
                .tag("query", query).tag("source", source).tag("status", status / 100 + "xx")
                .publishPercentileHistogram()
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
        if ("dryrun".equals(source)) {
            Counter.builder("registry.fallbacks").description("Reads answered by the dryrun fallback")
                    .tag("query", query).register(registry).increment();
        }
        if (logRequests) {
            Long upstreamNanos = exchange.getProperty(UpstreamTiming.UPSTREAM_NANOS, Long.class);
            REQUESTS.info("{} status={} source={} total={}ms{}", query, status, source, millis(nanos),
                    upstreamNanos == null ? "" : " upstream=" + millis(upstreamNanos) + "ms");
        }
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
