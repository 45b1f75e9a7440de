package com.permamind.gateway.upstream;

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
}
