package com.permamind.gateway;

import com.permamind.gateway.answer.RegistryAnswers;
import com.permamind.gateway.arweave.DeploymentLog;
import com.permamind.gateway.arweave.LuaModuleDriftCheck;
import com.permamind.gateway.cache.CacheFront;
import com.permamind.gateway.cache.ResponseCache;
import com.permamind.gateway.health.ReadTiersHealthCheck;
import com.permamind.gateway.health.StalledThreadsHealthCheck;
import com.permamind.gateway.http.AnswerWriter;
import com.permamind.gateway.http.ApiHttpServer;
import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.metrics.MeteredKafkaClients;
import com.permamind.gateway.metrics.RequestLog;
import com.permamind.gateway.metrics.RequestMetrics;
import com.permamind.gateway.query.RegistryRequests;
import com.permamind.gateway.upstream.ComputeUnitClient;
import com.permamind.gateway.upstream.DryrunBudget;
import com.permamind.gateway.upstream.DryrunReader;
import com.permamind.gateway.upstream.HyperbeamDegradation;
import com.permamind.gateway.upstream.HyperbeamReader;
import com.permamind.gateway.upstream.NodeHttpClient;
import com.permamind.gateway.upstream.ReadPath;
import com.permamind.gateway.upstream.UpstreamTiming;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.kafka.KafkaClientFactory;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The beans the routes call where a route cannot say it; every setting comes from properties. */
public class GatewayConfiguration extends OnceMadeBeans {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfiguration.class);

    @BindToRegistry
    public RegistryModule registryModule() {
        return once("registryModule", () -> RegistryModule.load());
    }

    /** The clock whose minute is sent as {@code now}; pinned only for demos and tests. */
    @BindToRegistry
    public Clock registryClock(@PropertyInject(value = "gateway.clock-pinned-at", defaultValue = "") String pinnedAt) {
        return once("registryClock", () -> pinnedAt.isBlank() ? Clock.systemUTC()
                    : Clock.fixed(Instant.ofEpochMilli(Long.parseLong(pinnedAt.trim())), ZoneOffset.UTC));
    }

    /**
     * Where the upstream reads run (the response cache's loader, registry-query.yaml's
     * upstream-read route): a virtual thread per read, at most gateway.upstream-reads-at-once under
     * way and gateway.upstream-queue waiting.
     */
    @BindToRegistry
    public ExecutorService upstreamReads(CamelContext context,
            @PropertyInject("gateway.upstream-reads-at-once") int atOnce,
            @PropertyInject("gateway.upstream-queue") int queue) {
        return once("upstreamReads", () -> {
            // stopped with the context, after the routes: reads in flight finish (GracefulStop)
            BoundedVirtualThreads reads = new BoundedVirtualThreads("upstream reads", atOnce, queue, "upstream-read")
                    .stoppedWith(context);
            LOG.info("Upstream reads: each on a virtual thread, up to {} under way, then up to {} waiting", atOnce, queue);
            return reads;
        });
    }

    /** Camel's HTTP header filter drops Cache-Control from answers; the response cache sets it on purpose. */
    @BindToRegistry
    public HeaderFilterStrategy responseHeaders() {
        return once("responseHeaders", () -> {
            HttpHeaderFilterStrategy filter = new HttpHeaderFilterStrategy();
            filter.getOutFilter().remove("cache-control");
            return filter;
        });
    }

    // The compute unit tier: its listings send several dryruns at once (sendAsync). No automatic
    // retries: a failing compute unit must fail fast into the breaker, not hide in retries. The
    // client's own steps run where they are triggered (its selector thread, or the caller's), not
    // handed to a pool of its own: a hop and a thread wake-up less per call. Nothing blocks in
    // them; callers wait on their own threads (upstream.BoundedExchange).
    @BindToRegistry
    public HttpClient computeUnitHttpClient(@PropertyInject("ao.connect-timeout-millis") long connectMillis) {
        return once("computeUnitHttpClient", () -> HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofMillis(connectMillis)).followRedirects(HttpClient.Redirect.NEVER)
                    .executor(Runnable::run).build());
    }

    /**
     * The HyperBEAM tier's reads: a connection for every caller that can wait on a node at once (the
     * reads under way, the readiness probe). The forwarder's messages have a client of their own.
     */
    @BindToRegistry
    public NodeHttpClient hyperbeamHttpClient(CamelContext context,
            @PropertyInject("hyperbeam.connect-timeout-millis") long connectMillis,
            @PropertyInject("gateway.upstream-reads-at-once") int readsAtOnce,
            @PropertyInject("hyperbeam.max-answer-bytes") long maxAnswerBytes) {
        return once("hyperbeamHttpClient", () -> {
            NodeHttpClient http = new NodeHttpClient(readsAtOnce + 1, Duration.ofMillis(connectMillis), maxAnswerBytes);
            try {
                // closed with the context's services, after its routes stopped: by then the reads in
                // flight have finished (GracefulShutdownTest)
                context.addService(new ServiceSupport() {
                    @Override
                    protected void doStop() {
                        http.close();
                    }
                }, true, true);
            } catch (Exception e) {
                throw new IllegalStateException("cannot manage the HyperBEAM HTTP client", e);
            }
            return http;
        });
    }

    @BindToRegistry
    public RegistryRequests registryRequests(@BeanInject("registryModule") RegistryModule module,
            @BeanInject("registryClock") Clock clock) {
        return once("registryRequests", () -> new RegistryRequests(module, clock));
    }

    @BindToRegistry
    public UpstreamTiming upstreamTiming(@BeanInject MeterRegistry meters) {
        return once("upstreamTiming", () -> new UpstreamTiming(meters));
    }

    /** The Kafka clients camel-kafka makes, the consumers' metrics on the gateway's registry. */
    @BindToRegistry
    public KafkaClientFactory kafkaClientFactory(@BeanInject MeterRegistry meters) {
        return once("kafkaClientFactory", () -> new MeteredKafkaClients(meters));
    }

    @BindToRegistry
    public RequestMetrics requestMetrics(@BeanInject MeterRegistry meters, CamelContext context,
            @PropertyInject("gateway.request-log") boolean logRequests,
            @PropertyInject("gateway.request-log-queue") int logQueue,
            @PropertyInject("gateway.performance-window-seconds") long windowSeconds) {
        return once("requestMetrics", () -> {
            RequestLog log = null;
            if (logRequests) {
                log = new RequestLog(logQueue);
                try {
                    // stopped with the context's services, after the routes: the last reads' lines are written
                    context.addService(log, true, true);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot start the request log", e);
                }
            }
            return new RequestMetrics(meters, log, Duration.ofSeconds(windowSeconds));
        });
    }

    @BindToRegistry
    public ResponseCache responseCache(@BeanInject MeterRegistry meters, CamelContext context,
            @BeanInject("upstreamReads") ExecutorService upstreamReads,
            @PropertyInject("cache.enabled") boolean enabled,
            @PropertyInject("cache.ttl-seconds") long defaultTtl,
            @PropertyInject("cache.not-found-ttl-seconds") long notFoundTtl,
            @PropertyInject("cache.stale-if-error-seconds") long staleIfError,
            @PropertyInject("cache.refresh-ahead") double refreshAhead,
            @PropertyInject("cache.max-megabytes") long maxMegabytes,
            @PropertyInject("cache.stale-while-degraded") boolean staleWhileDegraded,
            @PropertyInject("cache.refreshes-at-once") int refreshesAtOnce,
            @PropertyInject("hyperbeam.timeout-millis") long hyperbeamTimeout,
            @PropertyInject("ao.timeout-millis") long dryrunTimeout) {
        return once("responseCache", () -> {
            // a waiting request gives up only after the read it waits on had time to fall back
            Duration readerWait = Duration.ofMillis(hyperbeamTimeout + 2 * dryrunTimeout);
            if (!enabled) {
                LOG.warn("the response cache is disabled (cache.enabled=false): every read goes upstream");
            }
            ResponseCache cache = new ResponseCache(enabled, Duration.ofSeconds(enabled ? notFoundTtl : 0),
                    Duration.ofSeconds(staleIfError), refreshAhead, maxMegabytes << 20, readerWait,
                    // looked up when asked (only for an expired answer): it is bound after the cache
                    () -> staleWhileDegraded && context.getRegistry().lookupByNameAndType("hyperbeamDegradation",
                            HyperbeamDegradation.class).getAsBoolean(),
                    refreshesAtOnce, upstreamReads);
            cache.bindMetrics(meters);
            LOG.info("Response cache: {} s fresh by default, {} s for unknown skills, stale up to {} s on upstream failure,"
                    + " at most {} MB of answers; {}", enabled ? defaultTtl : 0, enabled ? notFoundTtl : 0, staleIfError, maxMegabytes,
                    staleWhileDegraded ? "while HyperBEAM fails over (and " + defaultTtl + " s after), expired answers are served stale and refreshed behind"
                            : "expired answers wait for the fallback while HyperBEAM fails over");
            return cache;
        });
    }

    /** Cache hits answered on the HTTP server, before their route (HttpServerVertx hands it to the API server). */
    @BindToRegistry
    public CacheFront responseCacheFront(@BeanInject("responseCache") ResponseCache cache,
            @BeanInject("requestMetrics") RequestMetrics metrics, @BeanInject("registryClock") Clock clock,
            @BeanInject("answerWriter") AnswerWriter writer) {
        return once("responseCacheFront", () -> new CacheFront(cache, metrics, clock, writer));
    }

    /** The Arweave id nodes load the module by: configured, else the newest deployment logged. */
    @BindToRegistry
    public String luaModuleId(@PropertyInject("registry.lua-module-id") String configured) {
        return once("luaModuleId", () -> !configured.isBlank() ? configured.trim()
                : DeploymentLog.fromClasspath().newestModuleId().orElse(""));
    }

    /** Compares the published module with lua/ each time lua-module-drift.yaml's timer fires. */
    @BindToRegistry
    public LuaModuleDriftCheck luaModuleDriftCheck(@BeanInject MeterRegistry meters,
            @BeanInject("luaModuleId") String moduleId,
            @BeanInject("registryModule") RegistryModule module,
            @PropertyInject("arweave.gateway-url") String arweaveGateway,
            @PropertyInject("arweave.max-answer-bytes") long maxAnswerBytes) {
        return once("luaModuleDriftCheck", () -> new LuaModuleDriftCheck(URI.create(arweaveGateway), moduleId,
                module.source(), meters, LuaModuleDriftCheck.DEFAULT_TIMEOUT, maxAnswerBytes, Clock.systemUTC()));
    }

    // lazy: made on first lookup, once the readers and breakers it watches exist
    @BindToRegistry(lazy = true)
    public ReadTiersHealthCheck readTiersHealthCheck(@BeanInject("hyperbeamReader") HyperbeamReader hyperbeam,
            @BeanInject("dryrunReader") DryrunReader dryrun,
            @BeanInject("hyperbeamBreaker") CircuitBreaker hyperbeamBreaker,
            @BeanInject("computeUnitBreaker") CircuitBreaker computeUnitBreaker,
            @BeanInject("luaModuleDriftCheck") LuaModuleDriftCheck drift,
            @BeanInject("responseCache") ResponseCache cache,
            @PropertyInject("gateway.health-probe-seconds") long probeSeconds,
            @PropertyInject("kafka.bootstrap-servers") String kafkaServers,
            @PropertyInject("registry.read-path") String readPathSetting,
            @PropertyInject("cache.enabled") boolean cacheEnabled) {
        return once("readTiersHealthCheck", () -> {
            ReadPath readPath = ReadPath.of(readPathSetting);
            LOG.info("Read path: {}", readPath == ReadPath.DRYRUN
                    ? "dryrun only (registry.read-path), HyperBEAM is not called" : "HyperBEAM, dryrun as its fallback");
            return new ReadTiersHealthCheck(readPath, hyperbeam::probe, dryrun::probe, () -> reachable(kafkaServers),
                    hyperbeamBreaker, computeUnitBreaker, dryrun.budget(), drift, Duration.ofSeconds(probeSeconds),
                    cacheEnabled, cache::canServeStale);
        });
    }

    // lazy, as the other checks: the API server it watches is made while camel-main configures
    @BindToRegistry(lazy = true)
    public StalledThreadsHealthCheck stalledThreadsHealthCheck(CamelContext context,
            @PropertyInject("gateway.stalled-after-seconds") long stalledAfterSeconds) {
        return once("stalledThreadsHealthCheck", () -> new StalledThreadsHealthCheck(Duration.ofSeconds(stalledAfterSeconds),
                task -> {
                    ApiHttpServer api = context.getRegistry().lookupByNameAndType("apiHttpServer", ApiHttpServer.class);
                    if (api != null) {
                        api.runOnEventLoop(task);
                    } else {
                        task.run();
                    }
                }));
    }

    // whether any bootstrap server accepts a connection
    private static boolean reachable(String servers) {
        for (String server : servers.split(",")) {
            int colon = server.trim().lastIndexOf(':');
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(server.trim().substring(0, colon),
                        Integer.parseInt(server.trim().substring(colon + 1))), 1000);
                return true;
            } catch (IOException | RuntimeException e) {
                LOG.debug("Kafka bootstrap server {} unreachable: {}", server, e.getMessage());
            }
        }
        return false;
    }

    @BindToRegistry
    public HyperbeamReader hyperbeamReader(@BeanInject("hyperbeamHttpClient") NodeHttpClient http,
            @BeanInject("upstreamTiming") UpstreamTiming timing,
            @PropertyInject("hyperbeam.nodes") String nodes,
            @PropertyInject("registry.process-id") String processId,
            @PropertyInject("hyperbeam.mode") String mode,
            @BeanInject("luaModuleId") String moduleId,
            @PropertyInject("hyperbeam.timeout-millis") long timeoutMillis) {
        return once("hyperbeamReader", () -> {
            List<URI> nodeList = Arrays.stream(nodes.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(URI::create).toList();
            if (moduleId.isBlank()) {
                LOG.warn("registry.lua-module-id is not set: HyperBEAM nodes cannot load the module, every read will "
                        + "fall back to the dryrun");
            }
            LOG.info("HyperBEAM tier: nodes {}, mode {}, module {}", nodeList, mode, moduleId);
            return new HyperbeamReader(http, nodeList, processId, mode, moduleId, Duration.ofMillis(timeoutMillis), timing);
        });
    }

    @BindToRegistry
    public DryrunReader dryrunReader(@BeanInject("computeUnitHttpClient") HttpClient http,
            @BeanInject("upstreamTiming") UpstreamTiming timing,
            @BeanInject("computeUnitBreaker") CircuitBreaker breaker,
            @BeanInject("registryModule") RegistryModule module,
            @BeanInject("responseCache") ResponseCache cache,
            @PropertyInject("ao.cu-url") String computeUnit,
            @PropertyInject("registry.process-id") String processId,
            @PropertyInject("ao.timeout-millis") long timeoutMillis,
            @PropertyInject("ao.dryrun-enabled") boolean enabled,
            @PropertyInject("ao.dryruns-per-minute") int dryrunsPerMinute,
            @PropertyInject("ao.snapshot-reuse-seconds") long snapshotReuseSeconds,
            @PropertyInject("ao.max-answer-bytes") long maxAnswerBytes) {
        return once("dryrunReader", () -> {
            LOG.info("Dryrun tier: compute unit {}{}, {} dry-runs a minute at most", computeUnit,
                    enabled ? "" : " (disabled)", dryrunsPerMinute == 0 ? "no limit:" : dryrunsPerMinute);
            ComputeUnitClient client = new ComputeUnitClient(http, URI.create(computeUnit), processId,
                    Duration.ofMillis(timeoutMillis), maxAnswerBytes);
            return new DryrunReader(client, module, enabled, timing, breaker,
                    new DryrunBudget(dryrunsPerMinute, System::nanoTime), cache::hasLastGood,
                    Duration.ofSeconds(snapshotReuseSeconds));
        });
    }

    @BindToRegistry
    public RegistryAnswers registryAnswers(@PropertyInject("registry.process-id") String processId,
            @PropertyInject("gateway.retry-after-seconds") int retryAfterSeconds) {
        return once("registryAnswers", () -> new RegistryAnswers(processId, GatewayQueries.NAMES, retryAfterSeconds));
    }

    /** Shared by every query: when the nodes fail, all reads go to the dryrun without waiting for their own failures. */
    @BindToRegistry
    public CircuitBreaker hyperbeamBreaker(@BeanInject MeterRegistry meters, CamelContext context) {
        return once("hyperbeamBreaker", () -> breaker("hyperbeam", meters, context));
    }

    /** HyperBEAM failing over, or back from it less than one freshness period ago (the response cache's stale while degraded). */
    @BindToRegistry
    public HyperbeamDegradation hyperbeamDegradation(@BeanInject("hyperbeamBreaker") CircuitBreaker breaker,
            @PropertyInject("cache.ttl-seconds") long ttlSeconds) {
        return once("hyperbeamDegradation", () -> new HyperbeamDegradation(breaker, Duration.ofSeconds(ttlSeconds)));
    }

    @BindToRegistry
    public CircuitBreaker computeUnitBreaker(@BeanInject MeterRegistry meters, CamelContext context) {
        return once("computeUnitBreaker", () -> breaker("ao", meters, context));
    }

    /** The download forwarder's own: a node that refuses writes sends no read to the dryrun, nor the reverse. */
    @BindToRegistry
    public CircuitBreaker forwarderBreaker(@BeanInject MeterRegistry meters, CamelContext context) {
        return once("forwarderBreaker", () -> breaker("download-events.forwarder", meters, context));
    }

    // hyperbeam.breaker.*, ao.breaker.* or download-events.forwarder.breaker.*
    private static CircuitBreaker breaker(String tier, MeterRegistry meters, CamelContext context) {
        java.util.function.Function<String, String> setting = key -> context.resolvePropertyPlaceholders(
                "{{" + tier + ".breaker." + key + "}}");
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(Float.parseFloat(setting.apply("failure-rate-threshold")))
                .slidingWindowSize(Integer.parseInt(setting.apply("sliding-window-size")))
                .minimumNumberOfCalls(Integer.parseInt(setting.apply("minimum-number-of-calls")))
                .waitDurationInOpenState(Duration.ofMillis(Long.parseLong(setting.apply("wait-millis-in-open-state"))))
                .permittedNumberOfCallsInHalfOpenState(Integer.parseInt(setting.apply("permitted-calls-in-half-open-state")))
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build());
        CircuitBreaker breaker = breakers.circuitBreaker(switch (tier) {
            case "ao" -> "compute-unit";
            case "download-events.forwarder" -> "download-forwarder";
            default -> tier;
        });
        breaker.getEventPublisher().onStateTransition(event -> LOG.warn("{} circuit breaker: {}", breaker.getName(),
                event.getStateTransition()));
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
        return breaker;
    }
}
