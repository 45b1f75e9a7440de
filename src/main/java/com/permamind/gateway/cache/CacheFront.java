package com.permamind.gateway.cache;

import com.permamind.gateway.http.AnswerWriter;
import com.permamind.gateway.metrics.RequestMetrics;
import com.permamind.gateway.query.RegistryRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;

/**
 * Answers a read from the response cache on the HTTP server itself, before its route runs and
 * before Vert.x's router sees the request, when the very same request URI was prepared by the
 * route before and its answer is fresh: with the headers the route gives a cache hit
 * ({@link CachedAnswer#headers}), written by the same {@link AnswerWriter}.
 *
 * <p>A cache hit is most of the gateway's traffic, and going through a Camel exchange, or only
 * through the router, for it costs several times the work of writing the bytes. Anything else (a
 * URI not seen yet, an answer that is stale or due for its refresh ahead, another method) goes on
 * to the router and the route; so does everything once the gateway is stopping (GracefulStop).
 */
public final class CacheFront {

    private final ResponseCache cache;
    private final RequestMetrics metrics;
    private final Clock clock;
    private final AnswerWriter writer;
    private volatile boolean stopping;

    public CacheFront(ResponseCache cache, RequestMetrics metrics, Clock clock, AnswerWriter writer) {
        this.cache = cache;
        this.metrics = metrics;
        this.clock = clock;
        this.writer = writer;
    }

    /** From now on every request goes on to the router, where the stop refuses it. */
    public void stopAnswering() {
        stopping = true;
    }

    /** Whether this request was a fresh cache hit, now answered; false: nothing was written, it goes on. */
    public boolean answered(HttpServerRequest request) {
        long start = System.nanoTime();
        ResponseCache.Hit hit = !stopping && request.method() == HttpMethod.GET ? cache.hit(request.uri(), start) : null;
        if (hit == null || !current(hit.request())) {
            return false;
        }
        CachedAnswer answer = hit.answer();
        MultiMap headers = request.response().headers();
        answer.headers(CachedAnswer.CACHE, start, headers::add);
        int status = writer.write(request, answer.status(), answer.body());
        metrics.served(hit.request().query(), CachedAnswer.CACHE, status, System.nanoTime() - start, null);
        return true;
    }

    // a clocked read (download windows) was prepared for one minute; in the next, its route asks anew
    private boolean current(RegistryRequest request) {
        String now = request.param(RegistryRequest.NOW);
        return now == null || Long.parseLong(now) == RegistryRequest.minuteOf(clock.millis());
    }
}
