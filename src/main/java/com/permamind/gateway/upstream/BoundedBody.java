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
    // An announced length is read straight into an array of that size. The JDK's byte-array subscriber
    // keeps every buffer until the end and then copies them into one array: twice a dry-run answer
    // (27 MB for 5,000 skills) at once, in the heap an outage already fills (docs/java25.md).
    private final byte[] announced;
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
        this.announced = announcedBytes >= 0 && !announcedTooLarge ? new byte[(int) announcedBytes] : null;
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
        if (announced != null) {
            subscription.request(Long.MAX_VALUE);
        } else {
            bytes.onSubscribe(subscription);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        if (body.isDone()) {
            return;
        }
        if (announced != null) {
            for (ByteBuffer buffer : item) {
                int length = buffer.remaining();
                if (received + length > announced.length) {
                    subscription.cancel();
                    body.completeExceptionally(new IOException("the answer is longer than its Content-Length"));
                    return;
                }
                buffer.get(announced, (int) received, length);
                received += length;
            }
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
        if (announced != null) {
            body.completeExceptionally(throwable);
        } else {
            bytes.onError(throwable);
        }
    }

    @Override
    public void onComplete() {
        if (announced == null) {
            bytes.onComplete();
        } else if (received == announced.length) {
            body.complete(announced);
        } else {
            body.completeExceptionally(new IOException("the answer ended after " + received + " of its "
                    + announced.length + " announced bytes"));
        }
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
