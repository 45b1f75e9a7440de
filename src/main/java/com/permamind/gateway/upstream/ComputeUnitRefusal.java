package com.permamind.gateway.upstream;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * The compute unit asked to be left alone: a 429 (its per-address limit, or its queue is full), or a
 * 503 with {@code Retry-After}. Nothing is sent to it again before {@link #retryAfter()} has passed.
 */
public final class ComputeUnitRefusal extends UpstreamException {

    private final Duration retryAfter;

    ComputeUnitRefusal(String detail, Duration retryAfter) {
        super(ComputeUnitClient.SOURCE, detail);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    @Override
    public OptionalLong retryAfterSeconds() {
        return OptionalLong.of(Math.max(1, retryAfter.toSeconds()));
    }
}
