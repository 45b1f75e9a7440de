package com.permamind.gateway.cache;

import static com.permamind.gateway.cache.CachedAnswer.CACHE;
import static com.permamind.gateway.cache.CachedAnswer.STALE;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.permamind.gateway.http.EventLoopHttpConsumer;
import com.permamind.gateway.query.RegistryRequest;
import com.permamind.gateway.query.RegistryRequests;
import com.permamind.gateway.upstream.UpstreamException;
import com.permamind.gateway.upstream.UpstreamTiming;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cached read step of every registry read (registry-query.yaml): the answers of the registry
 * reads in memory (Caffeine), keyed by the validated request only, and every rule of their use.
 *
 * <ul>
 * <li>a fresh answer is served at once, on the event loop; one past {@code refreshAhead} of its
 * freshness is refreshed behind it (at most {@code refreshesAtOnce} such refreshes at a time);</li>
 * <li>otherwise the read waits, without holding a thread, for one upstream read per key: Caffeine's
 * loader runs {@value #UPSTREAM_READ} on a virtual thread of {@code upstreamReads} (a 503 with
 * {@code Retry-After} when they are all taken), and every reader of the key gets its answer;</li>
 * <li>an answer is kept past its freshness for {@code staleIfError}: when no upstream can answer,
 * it is served as {@code stale} with its {@code Age}; past that, the request fails (a 503);</li>
 * <li>while HyperBEAM is failing over, or just came back ({@code degraded}), an expired answer is
 * served stale at once and refreshed behind it, rather than making its reader wait for the dryrun.</li>
 * </ul>
 * A conditional GET gets its 304 from the answer writer (http/AnswerWriter), for the cache front's
 * answers and the route's alike.
 *
 * <p>Refresh ahead is Caffeine's {@code refresh} (one per key, the old answer served meanwhile),
 * asked for explicitly: {@code refreshAfterWrite} is one duration for every entry, where each
 * query's freshness is its own.
 */
public class ResponseCache extends AsyncProcessorSupport implements CamelContextAware {

    /** The route an upstream read is made by: HyperBEAM in its circuit breaker, the dryrun as its fallback. */
    public static final String UPSTREAM_READ = "direct:upstream-read";
    /** Set by {@value #UPSTREAM_READ} when no upstream could answer: the readers waiting for it decide what they get. */
    public static final String UPSTREAM_FAILURE = "upstreamFailure";
    /** How long the route's answers stay fresh (its template's ttlSeconds). */
    public static final String TTL_SECONDS = "registryTtlSeconds";
    private static final Logger LOG = LoggerFactory.getLogger(ResponseCache.class);
    // longer URIs are not remembered for the front: they go through the route every time
    private static final int MAX_FRONT_URI = 2048;

    // What an entry holds beside its key's text and its body, from a class histogram after the
    // suite's load (docs/java25.md, "The heap"): Caffeine's node and future, the answer record,
    // the buffer, the ETag, the key and its request; for a URI, the same key and request.
    private static final int ANSWER_OVERHEAD_BYTES = 500;
    private static final int READ_OVERHEAD_BYTES = 500;
    // the URI index gets this fraction of the answers' bound: it holds no bodies
    private static final int URI_INDEX_SHARE = 4;

    private final AsyncLoadingCache<Key, CachedAnswer> answers;
    // request URI as sent -> the read it prepared to: lets CacheFront answer a URI seen before
    private final Cache<String, Key> readsByUri;
    private final boolean enabled;
    private final long notFoundTtlNanos;
    private final long staleIfErrorNanos;
    // how many minutes back a clocked read's earlier answers can still be within the stale limit
    private final int staleMinutes;
    private final double refreshAhead;
    private final int refreshesAtOnce;
    private final Duration readerWait;
    private final BooleanSupplier degraded;
    private final Executor upstreamReads;
    // The clients waiting for the first answer of a key. A read waits for its turn when the reads
    // under way are all taken (an outage fills the queue): when it comes, the reads of those still
    // waiting come first, and one whose clients have all left is not made.
    private final Map<Key, Queue<HttpServerResponse>> waiting = new ConcurrentHashMap<>();
    // until when (System.nanoTime) the newest good answer can still be served stale
    private final AtomicLong servableUntil = new AtomicLong(System.nanoTime());
    private CamelContext camelContext;
    private volatile ProducerTemplate upstream;

    /**
     * @param enabled         whether answers are kept at all; each query's freshness is its route's
     *                        ({@code registryTtlSeconds}, registry-query.yaml)
     * @param refreshAhead    fraction of the freshness after which a served entry is refreshed
     * @param readerWait      how long a read waits for its key's upstream read
     * @param degraded        whether the upstreams are failing over or just came back (HyperbeamDegradation)
     * @param refreshesAtOnce background refreshes under way at most; an entry due when none is free
     *                        stays as it is until a later read finds one
     * @param upstreamReads   where the upstream reads run (BoundedVirtualThreads)
     */
    public ResponseCache(boolean enabled, Duration notFoundTtl, Duration staleIfError,
            double refreshAhead, long maxBytes, Duration readerWait, BooleanSupplier degraded, int refreshesAtOnce,
            Executor upstreamReads) {
        this.enabled = enabled;
        this.notFoundTtlNanos = notFoundTtl.toNanos();
        this.staleIfErrorNanos = staleIfError.toNanos();
        this.staleMinutes = (int) Math.max(1, staleIfError.toMillis() / RegistryRequest.MINUTE_MS + 1);
        this.refreshAhead = refreshAhead;
        this.refreshesAtOnce = refreshesAtOnce;
        this.readerWait = readerWait;
        this.degraded = degraded;
        this.upstreamReads = upstreamReads;
        // Bounded by bytes, not entries: one list page of 100 skills weighs as much as 15 skill answers.
        // Caffeine's upkeep (recording reads, evicting) runs on the reading thread, the event loop:
        // on the common fork-join pool, every few hits woke a thread of it (245,000 wake-ups of that
        // thread in a few minutes of cached load, and their futex calls on the event loop).
        this.answers = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumWeight(maxBytes)
                .weigher((Key key, CachedAnswer answer) -> ANSWER_OVERHEAD_BYTES
                        + key.text().length() + (answer.body() == null ? 0 : answer.body().length()))
                .expireAfter(new Expiry<Key, CachedAnswer>() {
                    @Override
                    public long expireAfterCreate(Key key, CachedAnswer answer, long now) {
                        return answer.keptForNanos(now);
                    }

                    @Override
                    public long expireAfterUpdate(Key key, CachedAnswer answer, long now, long left) {
                        return answer.keptForNanos(now);
                    }

                    @Override
                    public long expireAfterRead(Key key, CachedAnswer answer, long now, long left) {
                        return left;
                    }
                })
                .recordStats()
                .buildAsync(new AsyncCacheLoader<>() {
                    @Override
                    public CompletableFuture<CachedAnswer> asyncLoad(Key key, Executor executor) {
                        return readUpstream(key, null);
                    }

                    @Override
                    public CompletableFuture<CachedAnswer> asyncReload(Key key, CachedAnswer previous,
                            Executor executor) {
                        return readUpstream(key, previous);
                    }
                });
        this.readsByUri = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumWeight(maxBytes / URI_INDEX_SHARE)
                .weigher((String uri, Key read) -> READ_OVERHEAD_BYTES + uri.length() + read.text().length())
                .build();
    }

    public void bindMetrics(MeterRegistry registry) {
        CaffeineCacheMetrics.monitor(registry, answers, "registry-responses");
        Gauge.builder("registry.response.cache.bytes", answers.synchronous(),
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
     * The cached read: answers the exchange's read (its {@code registryRequest}) from memory when
     * it can, at once; otherwise when its key's upstream read is done, on the thread that made it.
     */
    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Key key = Key.of(exchange.getProperty(RegistryRequests.REQUEST, RegistryRequest.class),
                enabled ? TimeUnit.SECONDS.toNanos(exchange.getProperty(TTL_SECONDS, 0L, Long.class)) : 0);
        long now = System.nanoTime();
        rememberUri(exchange, key);
        CompletableFuture<CachedAnswer> found = answers.getIfPresent(key);
        // An answer kept for no time (the cache off, a status not to keep) is still found between its
        // load's end and Caffeine's expiry of it, which runs after the readers' callbacks: it is
        // neither fresh nor an answer to serve stale, so this reader reads anew.
        CachedAnswer foundAnswer = done(found);
        boolean keptForNoTime = foundAnswer != null && foundAnswer.keptForNanos(now) == 0;
        if (keptForNoTime) {
            answers.asMap().remove(key, found);
        }
        CompletableFuture<CachedAnswer> held = keptForNoTime ? null : found;
        CachedAnswer cached = keptForNoTime ? null : foundAnswer;
        if (cached != null && cached.freshAt(now)) {
            if (cached.dueForRefresh(now, refreshAhead)) {
                refreshBehind(key);
            }
            serve(exchange, cached, CACHE, now);
            callback.done(true);
            return true;
        }
        CachedAnswer stale = cached != null ? cached
                : key.request().param(RegistryRequest.NOW) != null ? lastGood(key, now) : null;
        if (stale != null && degraded.getAsBoolean()) {
            // HyperBEAM is failing over to dryrun, which takes seconds, or just came back with a
            // backlog of expired answers: the reader gets the last answer now, a later one the refreshed one
            refreshBehind(key);
            serve(exchange, stale, STALE, now);
            callback.done(true);
            return true;
        }
        // An expired answer is refreshed (it stands in if that fails); a missing one, or one being
        // loaded, loaded: either way one upstream read for every reader of the key
        HttpServerResponse client = cached == null
                ? exchange.getProperty(EventLoopHttpConsumer.CLIENT_RESPONSE, HttpServerResponse.class) : null;
        if (client != null) {
            waiting.computeIfAbsent(key, absent -> new ConcurrentLinkedQueue<>()).add(client);
        }
        CompletableFuture<CachedAnswer> read = cached != null ? answers.synchronous().refresh(key)
                : held != null ? held : answers.get(key);
        read.copy().orTimeout(readerWait.toMillis(), TimeUnit.MILLISECONDS).whenComplete((answer, error) -> {
            try {
                if (client != null) {
                    stopWaiting(key, client);
                }
                answered(exchange, key, cached, answer, error);
            } catch (RuntimeException e) {
                exchange.setException(e);
            } finally {
                callback.done(false);
            }
        });
        return false;
    }

    private void answered(Exchange exchange, Key key, CachedAnswer expired, CachedAnswer answer,
            Throwable error) {
        long now = System.nanoTime();
        if (error != null) {
            failed(exchange, key, error instanceof TimeoutException
                    ? new UpstreamException(CACHE, "waited " + readerWait.toMillis() + " ms for the upstream read of "
                            + key.text()) : error, now);
        } else if (answer.failure() != null) {
            failed(exchange, key, answer.failure(), now);
        } else if (answer == expired) {
            // the refresh failed, and the expired answer stands in (readUpstream logged why)
            serve(exchange, answer, STALE, now);
        } else {
            serve(exchange, answer, answer.source(), now);
        }
    }

    // No upstream answered: the last good answer within the stale limit, else the failure, which
    // registry-answers.yaml turns into the answer.
    private void failed(Exchange exchange, Key key, Throwable failure, long now) {
        CachedAnswer last = failure instanceof UpstreamException || failure instanceof RejectedExecutionException
                ? lastGood(key, now) : null;
        if (last != null) {
            LOG.warn("serving {} stale ({} s old): {}", key.request().query(), TimeUnit.NANOSECONDS.toSeconds(last.ageNanos(now)),
                    failure.getMessage());
            serve(exchange, last, STALE, now);
        } else {
            exchange.setException(failure);
        }
    }

    /**
     * The upstream read of one key, on a virtual thread of {@code upstreamReads}. It never fails
     * (Caffeine would log every failed load with its stack): a failure is an answer kept for no
     * time, or, for a refresh, the answer it was to replace, kept as it was.
     */
    private CompletableFuture<CachedAnswer> readUpstream(Key key, CachedAnswer previous) {
        CompletableFuture<CachedAnswer> loaded = new CompletableFuture<>();
        try {
            upstreamReads.execute(() -> {
                try {
                    loaded.complete(previous == null && clientsGone(key)
                            ? CachedAnswer.failed(new UpstreamException(CACHE, "every client of this read left"),
                                    System.nanoTime())
                            : read(key, previous));
                } catch (RuntimeException e) {
                    loaded.complete(previous != null ? previous : CachedAnswer.failed(e, System.nanoTime()));
                }
            });
        } catch (RejectedExecutionException e) {
            loaded.complete(previous != null ? previous : CachedAnswer.failed(e, System.nanoTime()));
        }
        return loaded;
    }

    private CachedAnswer read(Key key, CachedAnswer previous) {
        RegistryRequest request = key.request();
        if (upstream == null) {
            upstream = camelContext.createProducerTemplate();
        }
        Exchange read = new DefaultExchange(camelContext);
        read.setProperty(RegistryRequests.REQUEST, request);
        upstream.send(UPSTREAM_READ, read);
        Exception failure = read.getException() != null ? read.getException()
                : read.getProperty(UPSTREAM_FAILURE, Exception.class);
        long now = System.nanoTime();
        if (failure != null) {
            if (previous != null) {
                LOG.warn("no upstream could refresh {}: its answer of {} s ago stands: {}", request.query(),
                        TimeUnit.NANOSECONDS.toSeconds(previous.ageNanos(now)), failure.getMessage());
                return previous;
            }
            return CachedAnswer.failed(failure, now);
        }
        Message out = read.getMessage();
        int status = out.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
        long ttl = status == 200 ? key.ttlNanos() : status == 404 ? notFoundTtlNanos : 0;
        // A 404 is kept only so that a flood of unknown names cannot reach the upstream, not as a last
        // good answer. Kept for the stale limit too, the 96,000 unknown versions of the suite's JIT
        // warm-up were most of the 114,000 answers the heap still held at the end of its run.
        long stale = status == 200 && ttl > 0 ? staleIfErrorNanos : 0;
        CachedAnswer answer = CachedAnswer.of(status, out.getHeader(Exchange.CONTENT_TYPE, String.class),
                out.getBody(Buffer.class), read.getProperty(UpstreamTiming.SOURCE, String.class),
                read.getProperty(UpstreamTiming.UPSTREAM_NANOS, 0L, Long.class), now, ttl, stale);
        if (ttl > 0) {
            servableUntil.accumulateAndGet(now + ttl + stale, (current, next) -> next - current > 0 ? next : current);
        }
        return answer;
    }

    private boolean clientsGone(Key key) {
        Queue<HttpServerResponse> clients = waiting.get(key);
        return clients != null && !clients.isEmpty() && clients.stream().allMatch(HttpServerResponse::closed);
    }

    private void stopWaiting(Key key, HttpServerResponse client) {
        Queue<HttpServerResponse> clients = waiting.get(key);
        if (clients != null && clients.remove(client) && clients.isEmpty()) {
            waiting.remove(key, clients);
        }
    }

    // A refresh nobody waits for: one per key (Caffeine's), at most refreshesAtOnce in all
    private void refreshBehind(Key key) {
        LoadingCache<Key, CachedAnswer> cache = answers.synchronous();
        Map<Key, CompletableFuture<CachedAnswer>> underWay = cache.policy().refreshes();
        if (underWay.size() < refreshesAtOnce && !underWay.containsKey(key)) {
            cache.refresh(key);
        }
    }

    private void rememberUri(Exchange exchange, Key key) {
        String uri = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        if (uri != null && uri.length() <= MAX_FRONT_URI && "GET".equals(exchange.getMessage().getHeader(Exchange.HTTP_METHOD))) {
            readsByUri.put(uri, key);
        }
    }

    private static CachedAnswer done(CompletableFuture<CachedAnswer> held) {
        if (held == null || !held.isDone() || held.isCompletedExceptionally()) {
            return null;
        }
        CachedAnswer answer = held.join();
        return answer.failure() == null ? answer : null;
    }

    private static boolean withinStaleLimit(CachedAnswer answer, long now) {
        return answer.keptForNanos(now) > 0;
    }

    // The newest answer to this read within the stale limit. A clocked read (download windows) is asked
    // under a new key each minute, so at every turn of the minute it would have none: its answers of
    // the minutes before stand in for it, as its own would have.
    private CachedAnswer lastGood(Key key, long now) {
        CachedAnswer answer = done(answers.getIfPresent(key));
        if (answer != null && withinStaleLimit(answer, now)) {
            return answer;
        }
        for (int minutes = 1; minutes <= staleMinutes; minutes++) {
            Optional<RegistryRequest> earlier = key.request().minutesEarlier(minutes);
            if (earlier.isEmpty()) {
                return null;
            }
            CachedAnswer candidate = done(answers.getIfPresent(Key.of(earlier.get())));
            if (candidate != null && withinStaleLimit(candidate, now)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Whether answers are held that could still be served when no upstream can answer: the newest
     * good answer is within the stale limit (readiness, ReadTiersHealthCheck).
     */
    public boolean canServeStale() {
        return answers.synchronous().estimatedSize() > 0 && servableUntil.get() - System.nanoTime() > 0;
    }

    /** Whether a last good answer could stand in for this read if no upstream answers it. */
    public boolean hasLastGood(RegistryRequest request) {
        return lastGood(Key.of(request), System.nanoTime()) != null;
    }

    /** Whether readers of this request are being told, from memory, that what they ask for does not exist. */
    public boolean holdsNotFound(RegistryRequest request) {
        CachedAnswer answer = done(answers.getIfPresent(Key.of(request)));
        return answer != null && answer.status() == 404 && answer.freshAt(System.nanoTime());
    }

    private static void serve(Exchange exchange, CachedAnswer answer, String source, long now) {
        Message out = exchange.getMessage();
        // the request's headers (query parameters among them) must not echo back in the answer
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
        answer.headers(source, now, (name, value) -> out.setHeader(name.toString(), value));
        out.setBody(answer.body());
        exchange.setProperty(UpstreamTiming.SOURCE, source);
        if (source.equals(answer.source())) {
            exchange.setProperty(UpstreamTiming.UPSTREAM_NANOS, answer.upstreamNanos());
        }
    }

    /** A read the route prepared from this URI before, when its answer is fresh and not yet due for refresh. */
    Hit hit(String uri, long now) {
        Key read = readsByUri.getIfPresent(uri);
        if (read == null) {
            return null;
        }
        CachedAnswer cached = done(answers.getIfPresent(read));
        if (cached == null || !cached.freshAt(now) || cached.dueForRefresh(now, refreshAhead)) {
            return null;
        }
        return new Hit(read.request(), cached);
    }

    /**
     * A read as the cache keys it: its key's text ({@link RegistryRequest#key}), whose hash the
     * string keeps (a hit hashes it once, where the request's parameter map hashes every entry);
     * the request rides along for the loader.
     */
    record Key(String text, RegistryRequest request, long ttlNanos) {

        /** A key to look an answer up by. */
        static Key of(RegistryRequest request) {
            return of(request, 0);
        }

        /** A key to read by: its answer is fresh for {@code ttlNanos}. */
        static Key of(RegistryRequest request, long ttlNanos) {
            return new Key(request.key(), request, ttlNanos);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.text.equals(text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }
    }

    /** A read and its fresh answer. */
    record Hit(RegistryRequest request, CachedAnswer answer) {
    }
}
