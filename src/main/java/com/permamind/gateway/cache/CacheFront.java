package com.permamind.gateway.cache;

import com.permamind.gateway.http.ApiCors;
import com.permamind.gateway.metrics.RequestMetrics;
import com.permamind.gateway.query.RegistryRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.spi.RestConfiguration;

/**
 * Answers a read from the response cache on the HTTP server itself, before its route runs and
 * before Vert.x's router sees the request, when the very same request URI was prepared by the
 * route before and its answer is fresh: the answer, status and headers are the ones the route
 * would give for that cache hit (registry-query.yaml).
 *
 * <p>A cache hit is most of the gateway's traffic, and going through a Camel exchange, or only
 * through the router, for it costs several times the work of writing the bytes. Anything else (a
 * URI not seen yet, an answer that is stale or due for its refresh ahead, another method) goes on
 * to the router and the route; so does everything once the gateway is stopping (GracefulStop).
 */
public final class CacheFront {

    private static final CharSequence AGE = HttpHeaders.createOptimized("Age");
    private static final CharSequence X_REGISTRY_SOURCE = HttpHeaders.createOptimized("X-Registry-Source");
    private static final CharSequence CACHE = HttpHeaders.createOptimized("cache");
    private static final CharSequence ALLOW_ORIGIN = HttpHeaders.createOptimized(ApiCors.ALLOW_ORIGIN);
    private static final CharSequence ORIGIN = HttpHeaders.createOptimized("Origin");
    // CORS headers that depend on the request (ApiCors): the front answers nothing, the routes do
    private static final Map<CharSequence, CharSequence> ROUTES_ONLY = Collections.unmodifiableMap(new HashMap<>());

    private final ResponseCache cache;
    private final RequestMetrics metrics;
    private final Clock clock;
    private final RestConfiguration rest;
    // read from the REST configuration at the first request: the routes set it after the beans are made
    private volatile Map<CharSequence, CharSequence> corsHeaders;
    private volatile ApiCors.AllowedOrigins origins;
    private volatile boolean stopping;

    public CacheFront(ResponseCache cache, RequestMetrics metrics, Clock clock, RestConfiguration rest) {
        this.cache = cache;
        this.metrics = metrics;
        this.clock = clock;
        this.rest = rest;
    }

    /** From now on every request goes on to the router, where the stop refuses it. */
    public void stopAnswering() {
        stopping = true;
    }

    private static Map<CharSequence, CharSequence> corsHeaders(RestConfiguration rest) {
        Map<String, String> cors = ApiCors.headers(rest);
        if (cors == null) {
            return ROUTES_ONLY;
        }
        Map<CharSequence, CharSequence> optimized = new LinkedHashMap<>();
        cors.forEach((name, value) -> optimized.put(HttpHeaders.createOptimized(name), HttpHeaders.createOptimized(value)));
        return optimized;
    }

    /** Whether this request was a fresh cache hit, now answered; false: nothing was written, it goes on. */
    public boolean answered(HttpServerRequest request) {
        long start = System.nanoTime();
        Map<CharSequence, CharSequence> cors = corsHeaders;
        if (cors == null) {
            origins = ApiCors.allowedOrigins(rest);
            cors = corsHeaders = corsHeaders(rest);
        }
        ResponseCache.Hit hit = cors != ROUTES_ONLY && !stopping && request.method() == HttpMethod.GET
                ? cache.hit(request.uri(), start) : null;
        if (hit == null || !current(hit.request())) {
            return false;
        }
        CachedAnswer answer = hit.answer();
        HttpServerResponse response = request.response();
        MultiMap headers = response.headers();
        cors.forEach(headers::add);
        if (!cors.isEmpty()) {
            allowOrigin(headers, request.getHeader(ORIGIN));
        }
        headers.add(AGE, Long.toString(TimeUnit.NANOSECONDS.toSeconds(answer.ageNanos(start))));
        headers.add(HttpHeaders.CACHE_CONTROL, ResponseCache.cacheControl(answer, start, "cache"));
        headers.add(HttpHeaders.ETAG, answer.etag());
        headers.add(X_REGISTRY_SOURCE, CACHE);
        String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
        int status = answer.status();
        if (ifNoneMatch != null && status == 200 && ResponseCache.matches(ifNoneMatch, answer.etag())) {
            status = 304;
            response.setStatusCode(status).end();
        } else {
            headers.add(HttpHeaders.CONTENT_TYPE, answer.contentType());
            response.setStatusCode(status).end(answer.body());
        }
        metrics.served(hit.request().query(), "cache", status, System.nanoTime() - start, null);
        return true;
    }

    private void allowOrigin(MultiMap headers, String origin) {
        ApiCors.AllowedOrigins allowed = origins;
        String allowedOrigin = allowed.allowedOrigin(origin);
        if (allowedOrigin != null) {
            headers.add(ALLOW_ORIGIN, allowedOrigin);
        }
        if (allowed.variesByOrigin()) {
            headers.add(HttpHeaders.VARY, ORIGIN);
        }
    }

    // a clocked read (download windows) was prepared for one minute; in the next, its route asks anew
    private boolean current(RegistryRequest request) {
        String now = request.param(RegistryRequest.NOW);
        return now == null || Long.parseLong(now) == RegistryRequest.minuteOf(clock.millis());
    }
}
