package com.permamind.gateway.upstream;

import java.util.OptionalLong;

/** An upstream could not give a usable answer: the caller falls back or answers 503. */
public class UpstreamException extends RuntimeException {

    private final String upstream;
    private final String detail;

    public UpstreamException(String upstream, String detail) {
        super(upstream + ": " + detail, null, false, false);
        this.upstream = upstream;
        this.detail = detail;
    }

    public String detail() {
        return detail;
    }

    public String upstream() {
        return upstream;
    }

    /** How long the client should wait, when this failure knows better than the gateway's default. */
    public OptionalLong retryAfterSeconds() {
        return OptionalLong.empty();
    }
}
