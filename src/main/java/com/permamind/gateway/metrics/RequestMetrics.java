package com.permamind.gateway.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.permamind.gateway.GatewayQueries;
import com.permamind.gateway.JsonMappers;
import com.permamind.gateway.answer.CanonicalJson;
import com.permamind.gateway.upstream.UpstreamTiming;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Times every registry read from the moment its route starts until its answer is done, by query,
 * source (hyperbeam, dryrun, cache, stale, or none when nothing answered) and status class, and
 * writes one log line per request. No client address is ever part of either.
 */
public class RequestMetrics {

    private static final int SAMPLES_PER_SERIES = 4096;
    private static final List<String> SOURCES = List.of("hyperbeam", "dryrun", "cache", "stale");
    private static final int ANY_STATUS = 0;

    private final MeterRegistry registry;
    // null: gateway.request-log=false
    private final RequestLog log;
    private final Duration window;
    // keyed by records, not by concatenated strings: a key is made on every answer, cache hits included
    private final Map<Series, RollingLatencies> recent = new ConcurrentHashMap<>();
    private final Map<Series, Timer> timers = new ConcurrentHashMap<>();
    private final ObjectMapper json = JsonMappers.mapper();

    public RequestMetrics(MeterRegistry registry, RequestLog log, Duration window) {
        this.registry = registry;
        this.log = log;
        this.window = window;
        // at 0 from the start: a rate over a counter that appears at its first increment misses that increment
        GatewayQueries.NAMES.forEach(this::fallbacks);
    }

    private Counter fallbacks(String query) {
        return Counter.builder("registry.fallbacks").description("Reads answered by the dryrun fallback")
                .tag("query", query).register(registry);
    }

    public void start(Exchange exchange, @ExchangeProperty("registryQuery") String query) {
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
        served(query, exchange.getProperty(UpstreamTiming.SOURCE, "none", String.class), status, nanos,
                exchange.getProperty(UpstreamTiming.UPSTREAM_NANOS, Long.class));
    }

    /** Records one answered read: its timer, the rolling window, a fallback, and its log line. */
    public void served(String query, String source, int status, long nanos, Long upstreamNanos) {
        timers.computeIfAbsent(new Series(query, source, status / 100), series -> Timer.builder("registry.requests")
                .description("Registry reads answered by the gateway, from route start to answer")
                .tag("query", query).tag("source", source).tag("status", status / 100 + "xx")
                .publishPercentileHistogram()
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        if (SOURCES.contains(source) && status < 500) {
            recent.computeIfAbsent(new Series(query, source, ANY_STATUS), series -> new RollingLatencies(SAMPLES_PER_SERIES))
                    .add(System.nanoTime(), nanos);
        }
        if ("dryrun".equals(source)) {
            fallbacks(query).increment();
        }
        if (log != null && log.enabled()) {
            log.add(query, status, source, nanos, upstreamNanos);
        }
    }

    /**
     * GET /api/performance: per query and source, the count and p50/p95/p99 (ms) of the answers
     * in the last window, and how many times slower the dryrun answered than HyperBEAM.
     */
    public void performance(Exchange exchange) {
        long since = System.nanoTime() - window.toNanos();
        ObjectNode report = json.createObjectNode();
        report.put("windowSeconds", window.toSeconds());
        ObjectNode queries = report.putObject("queries");
        for (String query : GatewayQueries.NAMES) {
            ObjectNode bySource = queries.putObject(query);
            for (String source : SOURCES) {
                RollingLatencies series = recent.get(new Series(query, source, ANY_STATUS));
                long[] sorted = series == null ? new long[0] : series.since(since);
                ObjectNode stats = bySource.putObject(source);
                stats.put("count", sorted.length);
                if (sorted.length > 0) {
                    for (double p : new double[] {0.5, 0.95, 0.99}) {
                        stats.put("p" + Math.round(p * 100) + "Ms", RollingLatencies.percentile(sorted, p) / 1e6);
                    }
                }
            }
            JsonNode dryrun = bySource.get("dryrun");
            JsonNode hyperbeam = bySource.get("hyperbeam");
            if (dryrun.has("p50Ms") && hyperbeam.has("p50Ms")) {
                ObjectNode ratio = bySource.putObject("dryrunOverHyperbeam");
                for (String p : List.of("p50Ms", "p95Ms", "p99Ms")) {
                    ratio.put(p.replace("Ms", ""), dryrun.get(p).asDouble() / hyperbeam.get(p).asDouble());
                }
            }
        }
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(Buffer.buffer(CanonicalJson.write(report)));
    }

    /** A query's answers from one source, of one status class (1-5) or of any ({@value #ANY_STATUS}). */
    private record Series(String query, String source, int statusClass) {
    }
}
