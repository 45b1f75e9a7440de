package com.permamind.gateway.upstream;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An upstream answer's body as bytes, read up to a bound: past it the exchange is cancelled and the
 * body fails with {@link TooLargeException}, so an upstream that sends without end costs the heap
 * at most the bound.
 */
public final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

    private final long maxBytes;
    private final boolean announcedTooLarge;
    private final HttpResponse.BodySubscriber<byte[]> bytes = HttpResponse.BodySubscribers.ofByteArray();
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private long received;

    /**
     * @param announcedBytes the answer's Content-Length, or -1: past the bound, the body fails
     *                       without a byte read
     */
    public BoundedBody(long maxBytes, long announcedBytes) {
        this.maxBytes = maxBytes;
        this.announcedTooLarge = announcedBytes > maxBytes;
        bytes.getBody().whenComplete((done, failure) -> {
            if (failure != null) {
                body.completeExceptionally(failure);
            } else {
                body.complete(done);
            }
        });
    }

    /** A body handler reading at most {@code maxBytes}; an announced length past it fails at once. */
    public static HttpResponse.BodyHandler<byte[]> handler(long maxBytes) {
        return info -> new BoundedBody(maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (announcedTooLarge) {
            subscription.cancel();
            body.completeExceptionally(new TooLargeException(maxBytes));
            return;
        }
        bytes.onSubscribe(subscription);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        if (body.isDone()) {
            return;
        }
        for (ByteBuffer buffer : item) {
            received += buffer.remaining();
        }
        if (received > maxBytes) {
            subscription.cancel();
            body.completeExceptionally(new TooLargeException(maxBytes));
            return;
        }
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

    /** Cancels the exchange (the caller gave up on it). */
    public void cancel() {
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
    }

    /** An answer larger than its upstream's bound. */
    public static final class TooLargeException extends IOException {
        public TooLargeException(long maxBytes) {
            super("the answer is larger than " + maxBytes + " bytes");
        }
    }
}
