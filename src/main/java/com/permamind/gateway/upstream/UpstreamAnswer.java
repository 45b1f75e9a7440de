package com.permamind.gateway.upstream;

/** An upstream answer's status, whole body, and its {@code Retry-After} header if it sent one (else null). */
public record UpstreamAnswer(int status, byte[] body, String retryAfter) {

    public UpstreamAnswer(int status, byte[] body) {
        this(status, body, null);
    }
}
