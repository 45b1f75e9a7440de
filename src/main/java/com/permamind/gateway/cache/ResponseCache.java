package com.permamind.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.permamind.gateway.query.RegistryRequest;
import com.permamind.gateway.query.RegistryRequests;
import com.permamind.gateway.upstream.UpstreamException;
import com.permamind.gateway.upstream.UpstreamTiming;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers of the registry reads, in memory (Caffeine), keyed by the validated request only.
 *
 * <ul>
 * <li>a fresh answer is served without any upstream call; one near expiry is refreshed in the
 * background while it keeps being served;</li>
 * <li>concurrent requests for the same missing key make one upstream call: the first goes on
 * through the route, the others wait for its answer (single flight), each on its upstream read's
 * virtual thread;</li>
 * <li>an answer is kept past its freshness for {@code staleIfError}: when no upstream can answer,
 * it is served as {@code stale} with its {@code Age}; past that, the request gets a 503.</li>
 * </ul>
 */
public class ResponseCache implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(ResponseCache.class);
    public static final String ANSWERED = "registryAnswered";
    public static final String REFRESH = "registryRefresh";
    private static final String LOADING = "registryLoading";
    private static final String IF_NONE_MATCH = "registryIfNoneMatch";
    private static final String SOURCE_CACHE = "cache";
    private static final String SOURCE_STALE = "stale";
    // longer URIs are not remembered for the front: they go through the route every time
    private static final int MAX_FRONT_URI = 2048;

    // Estimates of what an entry holds beside its strings: the answer record and its ETag, the
    // buffer, Caffeine's node; for a URI, the parsed request and its parameter map.
    private static final int ANSWER_OVERHEAD_BYTES = 300;
    private static final int READ_OVERHEAD_BYTES = 500;
    // the URI index gets this fraction of the answers' bound: it holds no bodies
    private static final int URI_INDEX_SHARE = 4;
    private final Cache<String, CachedAnswer> answers;
    // request URI as sent -> the read it prepared to: lets CacheFront answer a URI seen before
    private final Cache<String, Hit> readsByUri;
    private final Map<String, CompletableFuture<CachedAnswer>> loading = new ConcurrentHashMap<>();
    // keys with a refresh sent and not done: every hit of a hot key is due for refresh until the
    // refresh reaches the upstream (after the hop to its virtual thread), and each would send another
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    // Refreshes are upstream reads each, and through dryrun several seconds: without a bound, an
    // outage's expired keys each sent one and took the turns the readers of uncached keys wait for
    private final Semaphore refreshPermits;
    private final boolean enabled;
    private final long notFoundTtlNanos;
    private final long staleIfErrorNanos;
    // how many minutes back a clocked read's earlier answers can still be within the stale limit
    private final int staleMinutes;
    private final double refreshAhead;
    private final Duration followerWait;
    private final BooleanSupplier degraded;
    // until when (System.nanoTime) the newest good answer can still be served stale
    private final AtomicLong servableUntil = new AtomicLong(System.nanoTime());
    private CamelContext camelContext;
    private ProducerTemplate refresher;

    /**
     * @param enabled      whether answers are kept at all; each query's freshness is its route's
     *                     ({@code registryTtlSeconds}, registry-query.yaml)
     * @param refreshAhead fraction of the freshness after which a served entry is refreshed
     * @param followerWait how long a request waits for another one's upstream call
     * @param degraded     whether the upstreams are failing over or just came back (HyperbeamDegradation):
     *                     an expired answer is then served stale at once and refreshed in the background,
     *                     rather than making its reader wait for the upstream
     * @param refreshesAtOnce background refreshes under way at most; an entry due when none is free
     *                     stays as it is until a later read finds one
     */
    public ResponseCache(boolean enabled, Duration notFoundTtl, Duration staleIfError,
            double refreshAhead, long maxBytes, Duration followerWait, BooleanSupplier degraded, int refreshesAtOnce) {
        this.enabled = enabled;
        this.notFoundTtlNanos = notFoundTtl.toNanos();
        this.staleIfErrorNanos = staleIfError.toNanos();
        this.staleMinutes = (int) Math.max(1, staleIfError.toMillis() / RegistryRequest.MINUTE_MS + 1);
        this.refreshAhead = refreshAhead;
        this.followerWait = followerWait;
        this.degraded = degraded;
        this.refreshPermits = new Semaphore(refreshesAtOnce);
        // Bounded by bytes, not entries: one list page of 100 skills weighs as much as 15 skill answers.
        // Caffeine's upkeep (recording reads, evicting) runs on the reading thread, the event loop:
        // on the common fork-join pool, every few hits woke a thread of it (245,000 wake-ups of that
        // thread in a few minutes of cached load, and their futex calls on the event loop).
        this.answers = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumWeight(maxBytes)
                .weigher((String key, CachedAnswer answer) -> ANSWER_OVERHEAD_BYTES + key.length() + answer.body().length())
                .expireAfter(Expiry.creating((String key, CachedAnswer answer) ->
                        Duration.ofNanos(answer.ttlNanos() + staleNanos(answer))))
                .recordStats()
                .build();
        this.readsByUri = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumWeight(maxBytes / URI_INDEX_SHARE)
                .weigher((String uri, Hit read) -> READ_OVERHEAD_BYTES + uri.length() + read.key().length())
                .build();
    }

    public void bindMetrics(MeterRegistry registry) {
        CaffeineCacheMetrics.monitor(registry, answers, "registry-responses");
        Gauge.builder("registry.response.cache.bytes", answers,
                        cache -> cache.policy().eviction().map(eviction -> eviction.weightedSize().orElse(0)).orElse(0L))
                .description("Estimated heap held by cached answers (bodies, keys, bookkeeping); bounded by cache.max-megabytes")
                .baseUnit("bytes").register(registry);
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /**
     * Answers from memory when it can: a fresh entry, refreshed in the background when it is near
     * expiry; while the upstreams are degraded, also an expired one within the stale limit, refreshed
     * in the background. Never waits, so it can run on the event loop.
     */
    public void lookup(Exchange exchange, @ExchangeProperty(RegistryRequests.REQUEST) RegistryRequest request) {
        long now = System.nanoTime();
        exchange.setProperty(IF_NONE_MATCH, exchange.getMessage().getHeader("If-None-Match", String.class));
        if (exchange.getProperty(REFRESH, false, Boolean.class)) {
            return;
        }
        String uri = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        if (uri != null && uri.length() <= MAX_FRONT_URI && "GET".equals(exchange.getMessage().getHeader(Exchange.HTTP_METHOD))) {
            readsByUri.put(uri, new Hit(request, request.key(), null));
        }
        CachedAnswer cached = answers.getIfPresent(request.key());
        if (cached == null) {
            CachedAnswer earlier;
            if (request.param(RegistryRequest.NOW) != null && degraded.getAsBoolean()
                    && (earlier = lastGood(request, now)) != null) {
                refreshOnce(exchange, request);
                serve(exchange, earlier, SOURCE_STALE, now);
            }
            return;
        }
        if (cached.freshAt(now)) {
            if (cached.dueForRefresh(now, refreshAhead)) {
                refreshOnce(exchange, request);
            }
            serve(exchange, cached, SOURCE_CACHE, now);
        } else if (withinStaleLimit(cached, now) && degraded.getAsBoolean()) {
            // HyperBEAM is failing over to dryrun, which takes seconds, or just came back with a
            // backlog of expired answers: the reader gets the last answer now, a later one the refreshed one
            refreshOnce(exchange, request);
            serve(exchange, cached, SOURCE_STALE, now);
        }
    }

    private void refreshOnce(Exchange exchange, RegistryRequest request) {
        String key = request.key();
        if (loading.containsKey(key) || refreshing.contains(key) || !refreshPermits.tryAcquire()) {
            return;
        }
        if (refreshing.add(key)) {
            refreshInBackground(exchange, request);
        } else {
            refreshPermits.release();
        }
    }

    private void refreshed(String key) {
        refreshing.remove(key);
        refreshPermits.release();
    }

    private boolean withinStaleLimit(CachedAnswer answer, long now) {
        return answer.ageNanos(now) <= answer.ttlNanos() + staleNanos(answer);
    }

    // A 404 is kept only so that a flood of unknown names cannot reach the upstream, not as a last
    // good answer. Kept for the stale limit too, the 96,000 unknown versions of the suite's JIT
    // warm-up were most of the 114,000 answers the heap still held at the end of its run.
    private long staleNanos(CachedAnswer answer) {
        return answer.status() == 200 ? staleIfErrorNanos : 0;
    }

    // The newest answer to this read within the stale limit. A clocked read (download windows) is asked
    // under a new key each minute, so at every turn of the minute it would have none: its answers of
    // the minutes before stand in for it, as its own would have.
    private CachedAnswer lastGood(RegistryRequest request, long now) {
        CachedAnswer answer = answers.getIfPresent(request.key());
        if (answer != null && withinStaleLimit(answer, now)) {
            return answer;
        }
        for (int minutes = 1; minutes <= staleMinutes; minutes++) {
            Optional<RegistryRequest> earlier = request.minutesEarlier(minutes);
            if (earlier.isEmpty()) {
                return null;
            }
            CachedAnswer candidate = answers.getIfPresent(earlier.get().key());
            if (candidate != null && withinStaleLimit(candidate, now)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * For a read that missed: when a request for the same key is already under way upstream, waits
     * for its answer (this may block); otherwise this request makes the call, and later ones wait for it.
     */
    public void joinFlight(Exchange exchange, @ExchangeProperty(RegistryRequests.REQUEST) RegistryRequest request)
            throws Exception {
        String key = request.key();
        CompletableFuture<CachedAnswer> mine = new CompletableFuture<>();
        CompletableFuture<CachedAnswer> leader = loading.putIfAbsent(key, mine);
        if (leader != null) {
            if (exchange.getProperty(REFRESH, false, Boolean.class)) {
                exchange.setProperty(ANSWERED, true);
                return;
            }
            serve(exchange, await(leader, key), SOURCE_CACHE, System.nanoTime());
            return;
        }
        // a request that made its call while this one waited for a thread has left its answer
        long now = System.nanoTime();
        CachedAnswer cached = answers.getIfPresent(key);
        if (!exchange.getProperty(REFRESH, false, Boolean.class) && cached != null && cached.freshAt(now)) {
            loading.remove(key, mine);
            mine.complete(cached);
            serve(exchange, cached, SOURCE_CACHE, now);
            return;
        }
        // whatever happens to this exchange, the ones waiting on it are released
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (!mine.isDone()) {
                    mine.completeExceptionally(done.getException() != null ? done.getException()
                            : new IllegalStateException("the read ended without an answer"));
                }
                loading.remove(key, mine);
            }
        });
        exchange.setProperty(LOADING, mine);
    }

    /** Keeps a 200 or 404 answer fresh from an upstream, and hands it to the requests waiting for it. */
    public void store(Exchange exchange, @ExchangeProperty(RegistryRequests.REQUEST) RegistryRequest request,
            @ExchangeProperty("registryTtlSeconds") long ttlSeconds) {
        Message out = exchange.getMessage();
        int status = out.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
        Buffer body = out.getBody(Buffer.class);
        long now = System.nanoTime();
        long ttl = !enabled ? 0 : status == 200 ? TimeUnit.SECONDS.toNanos(ttlSeconds) : status == 404 ? notFoundTtlNanos : 0;
        CachedAnswer answer = CachedAnswer.of(status, out.getHeader(Exchange.CONTENT_TYPE, String.class), body,
                exchange.getProperty(UpstreamTiming.SOURCE, String.class), now, ttl);
        if (ttl > 0) {
            answers.put(request.key(), answer);
            long until = now + ttl + staleNanos(answer);
            servableUntil.accumulateAndGet(until, (current, next) -> next - current > 0 ? next : current);
        }
        caching(out, answer, now, answer.source());
        CompletableFuture<CachedAnswer> mine = exchange.getProperty(LOADING, CompletableFuture.class);
        if (mine != null) {
            mine.complete(answer);
        }
    }

    /**
     * Whether answers are held that could still be served when no upstream can answer: the newest
     * good answer is within the stale limit (readiness, ReadTiersHealthCheck).
     */
    public boolean canServeStale() {
        return answers.estimatedSize() > 0 && servableUntil.get() - System.nanoTime() > 0;
    }

    /** The requests waiting on this one end as it did, without an upstream call of their own. */
    public void failed(Exchange exchange, Throwable failure) {
        CompletableFuture<?> mine = exchange.getProperty(LOADING, CompletableFuture.class);
        if (mine != null) {
            mine.completeExceptionally(failure);
        }
    }

    /** Whether a last good answer could stand in for this read if no upstream answers it. */
    public boolean hasLastGood(RegistryRequest request) {
        return lastGood(request, System.nanoTime()) != null;
    }

    /**
     * When no upstream could answer: the last good answer if it is not older than the stale
     * limit (true), or nothing (false).
     */
    public boolean serveStale(Exchange exchange, Throwable failure) {
        RegistryRequest request = exchange.getProperty(RegistryRequests.REQUEST, RegistryRequest.class);
        if (request == null) {
            return false;
        }
        long now = System.nanoTime();
        CachedAnswer stale = lastGood(request, now);
        if (stale == null) {
            return false;
        }
        LOG.warn("serving {} stale ({} s old): {}", request.query(), TimeUnit.NANOSECONDS.toSeconds(stale.ageNanos(now)),
                failure.getMessage());
        serve(exchange, stale, SOURCE_STALE, now);
        return true;
    }

    private CachedAnswer await(CompletableFuture<CachedAnswer> leader, String key) throws Exception {
        try {
            return leader.get(followerWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // the same outcome as the request that made the call: a stale answer or its error
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new UpstreamException("cache",
                    "waited " + followerWait.toMillis() + " ms for another request's upstream call on " + key);
        }
    }

    private void serve(Exchange exchange, CachedAnswer answer, String source, long now) {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
        out.setHeader(Exchange.CONTENT_TYPE, answer.contentType());
        out.setHeader("Age", TimeUnit.NANOSECONDS.toSeconds(answer.ageNanos(now)));
        out.setBody(answer.body());
        exchange.setProperty(UpstreamTiming.SOURCE, source);
        exchange.setProperty(ANSWERED, true);
        caching(out, answer, now, source);
    }

    private static void caching(Message out, CachedAnswer answer, long now, String source) {
        out.setHeader("X-Registry-Source", source);
        out.setHeader("ETag", answer.etag());
        out.setHeader("Cache-Control", cacheControl(answer, now, source));
    }

    /** A conditional GET whose ETag still matches gets 304 and no body. */
    public void conditional(Exchange exchange) {
        String ifNoneMatch = exchange.getProperty(IF_NONE_MATCH, String.class);
        Message out = exchange.getMessage();
        String etag = out.getHeader("ETag", String.class);
        if (ifNoneMatch == null || etag == null || out.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class) != 200) {
            return;
        }
        if (matches(ifNoneMatch, etag)) {
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 304);
            out.removeHeader(Exchange.CONTENT_TYPE);
            out.setBody(null);
        }
    }

    /** Whether an If-None-Match header names this strong ETag (weakly compared, as RFC 9110 asks). */
    static boolean matches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    /** A read the route prepared from this URI before, when its answer is fresh and not yet due for refresh. */
    Hit hit(String uri, long now) {
        Hit read = readsByUri.getIfPresent(uri);
        if (read == null) {
            return null;
        }
        CachedAnswer cached = answers.getIfPresent(read.key());
        if (cached == null || !cached.freshAt(now) || cached.dueForRefresh(now, refreshAhead)) {
            return null;
        }
        return new Hit(read.request(), read.key(), cached);
    }

    /** A read, its cache key, and (when it is a hit) its answer. */
    record Hit(RegistryRequest request, String key, CachedAnswer answer) {
    }

    static String cacheControl(CachedAnswer answer, long now, String source) {
        long remaining = Math.max(0, TimeUnit.NANOSECONDS.toSeconds(answer.ttlNanos() - answer.ageNanos(now)));
        return answer.ttlNanos() == 0 ? "no-store" : SOURCE_STALE.equals(source) ? "no-cache" : "public, max-age=" + remaining;
    }

    // The refresh holds the request's headers, so it runs through the query's route as the request did.
    private synchronized void refreshInBackground(Exchange exchange, RegistryRequest request) {
        try {
            sendRefresh(exchange, request);
        } catch (RuntimeException e) {
            refreshed(request.key());
            throw e;
        }
    }

    private void sendRefresh(Exchange exchange, RegistryRequest request) {
        if (refresher == null) {
            refresher = camelContext.createProducerTemplate();
        }
        // A new exchange, not a copy: a copy shares the request's unit of work, which is done by the
        // time the refresh reaches joinFlight, so the refresh's own completion never ran and its
        // finished call stayed in `loading`; from then on the key was never refreshed again and,
        // once expired, was served its old answer from there, Age growing, without an upstream call.
        // Nobody waits for a refresh: it goes on after the request's client has left.
        Exchange refresh = new DefaultExchange(camelContext);
        refresh.getIn().copyFrom(exchange.getIn());
        refresh.setProperty(REFRESH, true);
        // On a virtual thread: the send waits for the refresh's whole upstream read (its permit bounds
        // them, refreshesAtOnce), and the template's own pool would hold a platform thread for that.
        Thread.ofVirtual().name("cache-refresh").start(() -> {
            try {
                refresher.send("direct:" + request.query(), refresh);
            } finally {
                refreshed(request.key());
            }
        });
    }
}
