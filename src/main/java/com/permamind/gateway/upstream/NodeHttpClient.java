package com.permamind.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicMarkableReference;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.Configurable;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.concurrent.CancellableDependency;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GETs to HyperBEAM nodes: the exchange runs on the caller's thread from request to last byte
 * (Apache HttpClient 5, classic), and the whole answer, body included, arrives within a time
 * limit or the exchange is cut off.
 *
 * <p>Not the JDK's HttpClient, which the compute unit tier uses: its answers arrive on a selector
 * thread that then wakes the caller. One caller against a local server answering 1.2 KB at once
 * ({@code bench/node-client}): 109-113 µs of CPU and 118-121 µs at p50 per call for the JDK's,
 * 32-36 µs and 45-51 µs here.
 *
 * <p>HttpClient's minimal client: it never retries (of a 503 or 429 above all, as the full one
 * does by default), so a failing node fails into the breaker at once instead of hiding in retries
 * within the time limit; nor does it follow redirects, keep cookies or authenticate. Its requests
 * are made from the node's host and a path, not from a {@code java.net.URI}, which the full
 * client parses twice per call (a tenth of the forwarder's delivery threads' time in a profile).
 *
 * <p>A socket timeout bounds each read only, so a node trickling its body would hold a call far
 * past the limit: a watch thread cuts off calls past their deadline. It looks every
 * {@value #WATCH_MILLIS} ms rather than arming a timer per call, which would wake it on every call.
 */
public final class NodeHttpClient implements AutoCloseable {

    static final long WATCH_MILLIS = 20;
    private static final Logger LOG = LoggerFactory.getLogger(NodeHttpClient.class);

    private final CloseableHttpClient http;
    private final long maxAnswerBytes;
    private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "hyperbeam-call-deadlines");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param connections    the most calls at once (each blocks its caller and holds one connection);
     *                       a call beyond them waits for one within its own limit
     * @param maxAnswerBytes an answer larger than this is a failure of the node, read no further
     */
    public NodeHttpClient(int connections, Duration connectTimeout, long maxAnswerBytes) {
        this.maxAnswerBytes = maxAnswerBytes;
        http = HttpClients.createMinimal(PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(connections).setMaxConnPerRoute(connections)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        // a node may close a kept-alive connection while it idles: checked before reuse
                        .setValidateAfterInactivity(TimeValue.ofSeconds(1)).build())
                .build());
        watch.scheduleWithFixedDelay(this::cutOffLateCalls, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * GET {@code path} (with its query, encoded) from {@code host}: the answer's status, whole
     * body and {@code Retry-After}; an {@link UpstreamException} of {@code tier} for any failure.
     */
    public UpstreamAnswer get(HttpHost host, String path, Duration limit, String tier) {
        Timeout timeout = Timeout.of(limit);
        CancellableGet get = new CancellableGet(host, path,
                RequestConfig.custom().setConnectionRequestTimeout(timeout).setResponseTimeout(timeout).build());
        Call call = new Call(get, System.nanoTime() + limit.toNanos());
        inFlight.add(call);
        try {
            return http.execute(get, response -> new UpstreamAnswer(response.getCode(), body(response.getEntity(), get),
                    retryAfter(response)));
        } catch (SocketTimeoutException e) {
            throw new UpstreamException(tier, "no answer within " + limit.toMillis() + " ms");
        } catch (BoundedBody.TooLargeException e) {
            throw new UpstreamException(tier, e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw new UpstreamException(tier, call.cutOff ? "no answer within " + limit.toMillis() + " ms"
                    : HyperbeamReader.describe(e));
        } finally {
            inFlight.remove(call);
        }
    }

    private static Duration retryAfter(ClassicHttpResponse response) {
        Header header = response.getFirstHeader(HttpHeaders.RETRY_AFTER);
        return header == null ? null : RetryAfter.parse(header.getValue(), Instant.now());
    }

    // At most maxAnswerBytes, then the exchange fails: it is cancelled first, which closes its connection,
    // where closing the body's stream would read the rest of it to reuse the connection
    private byte[] body(HttpEntity entity, CancellableGet get) throws IOException {
        if (entity == null) {
            return new byte[0];
        }
        long length = entity.getContentLength();
        if (length > maxAnswerBytes) {
            get.cancel();
            throw new BoundedBody.TooLargeException(maxAnswerBytes);
        }
        try (InputStream in = entity.getContent()) {
            if (length >= 0) {
                // exactly the announced bytes: asked for up to the limit, readNBytes fills a 16 KB
                // buffer and copies the answer out of it (15 % of the gateway's allocation in the mix)
                return in.readNBytes((int) length);
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxAnswerBytes + 1));
            if (bytes.length > maxAnswerBytes) {
                get.cancel();
                throw new BoundedBody.TooLargeException(maxAnswerBytes);
            }
            return bytes;
        }
    }

    private void cutOffLateCalls() {
        long now = System.nanoTime();
        for (Call call : inFlight) {
            if (now - call.deadline >= 0) {
                call.cutOff = true;
                try {
                    call.get.cancel();
                } catch (RuntimeException e) {
                    // the watch must outlive any one call: a task that throws is never run again
                    LOG.warn("cutting off a HyperBEAM call past its limit failed: {}", HyperbeamReader.describe(e));
                }
            }
        }
    }

    @Override
    public void close() {
        watch.shutdownNow();
        http.close(CloseMode.GRACEFUL);
    }

    private static final class Call {
        final CancellableGet get;
        final long deadline;
        volatile boolean cutOff;

        Call(CancellableGet get, long deadline) {
            this.get = get;
            this.deadline = deadline;
        }
    }

    /** A GET that can be cancelled while it runs, as HttpClient's {@code HttpGet}, which only takes a URI. */
    private static final class CancellableGet extends BasicClassicHttpRequest implements CancellableDependency, Configurable {

        private final RequestConfig config;
        // the running exchange's step to cancel; marked once cancelled
        private final AtomicMarkableReference<Cancellable> step = new AtomicMarkableReference<>(null, false);

        CancellableGet(HttpHost host, String path, RequestConfig config) {
            super(Method.GET, host, path);
            this.config = config;
            setHeader("Accept", "application/json");
        }

        @Override
        public RequestConfig getConfig() {
            return config;
        }

        @Override
        public void setDependency(Cancellable next) {
            Cancellable current = step.getReference();
            if (!step.compareAndSet(current, next, false, false)) {
                next.cancel();
            }
        }

        @Override
        public boolean isCancelled() {
            return step.isMarked();
        }

        @Override
        public boolean cancel() {
            while (!step.isMarked()) {
                Cancellable current = step.getReference();
                if (step.compareAndSet(current, current, false, true)) {
                    if (current != null) {
                        current.cancel();
                    }
                    return true;
                }
            }
            return false;
        }
    }
}
