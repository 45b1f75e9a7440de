package com.permamind.gateway.upstream;

/** An upstream could not give a usable answer: the caller falls back or answers 503. */
public class UpstreamException extends RuntimeException {

    private final String upstream;

    public UpstreamException(String upstream, String message) {
        super(upstream + ": " + message, null, false, false);
        this.upstream = upstream;
    }

    public String upstream() {
        return upstream;
    }
}
