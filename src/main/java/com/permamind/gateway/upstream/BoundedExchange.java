package com.permamind.gateway.upstream;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One upstream HTTP exchange on the caller's thread, the whole answer, body included, within a
 * time limit (a node may stall mid-body, and the request's own timeout ends at the headers) and a
 * size bound ({@link BoundedBody}).
 *
 * <p>Not {@code HttpClient.sendAsync}: on a machine whose common fork-join pool has fewer than
 * two threads (two cores), each of its answers is handed to a new thread of its own before the
 * caller sees it. {@code send} hands the answer straight to the waiting caller; the body is then
 * awaited there with what remains of the limit, so no timer thread is needed either.
 */
final class BoundedExchange {

    private BoundedExchange() {
    }

    /**
     * The answer's status and body; an {@link UpstreamException} of {@code tier} for any failure,
     * its detail prefixed with {@code what}.
     */
    static UpstreamAnswer send(HttpClient http, HttpRequest.Builder request, Duration limit, long maxBytes,
            String tier, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        HttpResponse<CompletableFuture<byte[]>> head;
        TimedBody body = new TimedBody();
        try {
            head = http.send(request.timeout(limit).build(), info -> body.reading(
                    new BoundedBody(maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1))));
        } catch (HttpTimeoutException e) {
            throw new UpstreamException(tier, what + "no answer within " + limit.toMillis() + " ms");
        } catch (IOException e) {
            throw new UpstreamException(tier, what + HyperbeamReader.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(tier, what + "interrupted");
        }
        try {
            byte[] bytes = head.body().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return new UpstreamAnswer(head.statusCode(), bytes,
                    RetryAfter.parse(head.headers().firstValue("Retry-After").orElse(null), Instant.now()));
        } catch (TimeoutException e) {
            body.cancel();
            throw new UpstreamException(tier, what + "no answer within " + limit.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new UpstreamException(tier, what + HyperbeamReader.describe(e.getCause()));
        } catch (InterruptedException e) {
            body.cancel();
            Thread.currentThread().interrupt();
            throw new UpstreamException(tier, what + "interrupted");
        }
    }

    /**
     * The body as bytes, delivered through a future that {@code send} returns at once, with the
     * headers, so that the caller can wait for the rest with a limit and give up on it.
     */
    private static final class TimedBody implements HttpResponse.BodySubscriber<CompletableFuture<byte[]>> {

        private volatile BoundedBody bytes;

        TimedBody reading(BoundedBody bounded) {
            this.bytes = bounded;
            return this;
        }

        @Override
        public CompletionStage<CompletableFuture<byte[]>> getBody() {
            return CompletableFuture.completedStage(bytes.getBody().toCompletableFuture());
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            bytes.onSubscribe(subscription);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            bytes.onNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
            bytes.onError(throwable);
        }

        @Override
        public void onComplete() {
            bytes.onComplete();
        }

        void cancel() {
            BoundedBody current = bytes;
            if (current != null) {
                current.cancel();
            }
        }
    }
}
