package com.permamind.gateway;

import com.permamind.gateway.answer.RegistryAnswers;
import com.permamind.gateway.cache.ResponseCache;
import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.metrics.RequestMetrics;
import com.permamind.gateway.query.RegistryRequests;
import com.permamind.gateway.upstream.ComputeUnitClient;
import com.permamind.gateway.upstream.DryrunReader;
import com.permamind.gateway.upstream.HyperbeamReader;
import com.permamind.gateway.upstream.UpstreamTiming;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The beans the routes call where a route cannot say it; every setting comes from properties. */
public class GatewayConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfiguration.class);

    /** The seven reads, as /api/info lists them: one route each, stamped from registry-query. */
    public static final List<String> QUERIES = List.of("info", "search-skills", "list-skills", "get-skill",
            "get-skill-versions", "get-download-stats", "get-registry-download-stats");

    @BindToRegistry
    public RegistryModule registryModule() {
        return RegistryModule.load();
    }

    /** The clock whose minute is sent as {@code now}; pinned only for demos and tests. */
    @BindToRegistry
    public Clock registryClock(@PropertyInject(value = "gateway.clock-pinned-at", defaultValue = "") String pinnedAt) {
        return pinnedAt.isBlank() ? Clock.systemUTC()
                : Clock.fixed(Instant.ofEpochMilli(Long.parseLong(pinnedAt.trim())), ZoneOffset.UTC);
    }

    // No automatic retries: a failing node must fail fast into the breaker, not hide in retries.
    @BindToRegistry
    public HttpClient upstreamHttpClient(@PropertyInject("hyperbeam.connect-timeout-millis") long connectMillis) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(connectMillis)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @BindToRegistry
    public RegistryRequests registryRequests(@BeanInject("registryModule") RegistryModule module,
            @BeanInject("registryClock") Clock clock) {
        return new RegistryRequests(module, clock);
    }

    @BindToRegistry
    public UpstreamTiming upstreamTiming(@BeanInject MeterRegistry meters) {
        return new UpstreamTiming(meters);
    }

    @BindToRegistry
    public RequestMetrics requestMetrics(@BeanInject MeterRegistry meters,
            @PropertyInject("gateway.request-log") boolean logRequests) {
        return new RequestMetrics(meters, logRequests);
    }

    @BindToRegistry
    public ResponseCache responseCache(@BeanInject MeterRegistry meters, CamelContext context,
            @PropertyInject("cache.enabled") boolean enabled,
            @PropertyInject("cache.ttl-seconds") long defaultTtl,
            @PropertyInject("cache.not-found-ttl-seconds") long notFoundTtl,
            @PropertyInject("cache.stale-if-error-seconds") long staleIfError,
            @PropertyInject("cache.refresh-ahead") double refreshAhead,
            @PropertyInject("cache.max-entries") long maxEntries,
            @PropertyInject("hyperbeam.timeout-millis") long hyperbeamTimeout,
            @PropertyInject("ao.timeout-millis") long dryrunTimeout) {
        // a query's own TTL, cache.ttl-seconds.<query>, else the default
        ToLongFunction<String> ttlByQuery = query -> !enabled ? 0 : Long.parseLong(
                context.resolvePropertyPlaceholders("{{cache.ttl-seconds." + query + ":" + defaultTtl + "}}"));
        // a waiting request gives up only after the call it waits on had time to fall back
        Duration followerWait = Duration.ofMillis(hyperbeamTimeout + 2 * dryrunTimeout);
        if (!enabled) {
            LOG.warn("the response cache is disabled (cache.enabled=false): every read goes upstream");
        }
        ResponseCache cache = new ResponseCache(ttlByQuery, Duration.ofSeconds(enabled ? notFoundTtl : 0),
                Duration.ofSeconds(staleIfError), refreshAhead, maxEntries, followerWait);
        cache.bindMetrics(meters);
        return cache;
    }

    @BindToRegistry
    public HyperbeamReader hyperbeamReader(@BeanInject("upstreamHttpClient") HttpClient http,
            @BeanInject("upstreamTiming") UpstreamTiming timing,
            @PropertyInject("hyperbeam.nodes") String nodes,
            @PropertyInject("registry.process-id") String processId,
            @PropertyInject("hyperbeam.mode") String mode,
            @PropertyInject(value = "registry.lua-module-id", defaultValue = "") String moduleId,
            @PropertyInject("hyperbeam.timeout-millis") long timeoutMillis) {
        List<URI> nodeList = Arrays.stream(nodes.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(URI::create).toList();
        if (moduleId.isBlank()) {
            LOG.warn("registry.lua-module-id is not set: HyperBEAM nodes cannot load the module, every read will "
                    + "fall back to the dryrun");
        }
        LOG.info("HyperBEAM tier: nodes {}, mode {}, module {}", nodeList, mode, moduleId);
        return new HyperbeamReader(http, nodeList, processId, mode, moduleId, Duration.ofMillis(timeoutMillis), timing);
    }

    @BindToRegistry
    public DryrunReader dryrunReader(@BeanInject("upstreamHttpClient") HttpClient http,
            @BeanInject("upstreamTiming") UpstreamTiming timing,
            @BeanInject("registryModule") RegistryModule module,
            @PropertyInject("ao.cu-url") String computeUnit,
            @PropertyInject("registry.process-id") String processId,
            @PropertyInject("ao.timeout-millis") long timeoutMillis,
            @PropertyInject("ao.dryrun-enabled") boolean enabled) {
        LOG.info("Dryrun tier: compute unit {}{}", computeUnit, enabled ? "" : " (disabled)");
        ComputeUnitClient client = new ComputeUnitClient(http, URI.create(computeUnit), processId,
                Duration.ofMillis(timeoutMillis));
        return new DryrunReader(client, module, enabled, timing);
    }

    @BindToRegistry
    public RegistryAnswers registryAnswers(@BeanInject("responseCache") ResponseCache cache,
            @PropertyInject("registry.process-id") String processId,
            @PropertyInject("gateway.retry-after-seconds") int retryAfterSeconds) {
        return new RegistryAnswers(cache, processId, QUERIES, retryAfterSeconds);
    }

    @BindToRegistry
    public CircuitBreaker hyperbeamBreaker(@BeanInject MeterRegistry meters,
            @PropertyInject("hyperbeam.breaker.failure-rate-threshold") float failureRate,
            @PropertyInject("hyperbeam.breaker.sliding-window-size") int window,
            @PropertyInject("hyperbeam.breaker.minimum-number-of-calls") int minimumCalls,
            @PropertyInject("hyperbeam.breaker.wait-millis-in-open-state") long openMillis,
            @PropertyInject("hyperbeam.breaker.permitted-calls-in-half-open-state") int halfOpenCalls) {
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(failureRate)
                .slidingWindowSize(window)
                .minimumNumberOfCalls(minimumCalls)
                .waitDurationInOpenState(Duration.ofMillis(openMillis))
                .permittedNumberOfCallsInHalfOpenState(halfOpenCalls)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build());
        CircuitBreaker breaker = breakers.circuitBreaker("hyperbeam");
        breaker.getEventPublisher().onStateTransition(event -> LOG.warn("HyperBEAM circuit breaker: {}",
                event.getStateTransition()));
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
        return breaker;
    }
}
