package com.permamind.gateway.upstream;

import java.time.Duration;

/**
 * An upstream answer's status and whole body.
 *
 * @param retryAfter how long the upstream asked not to be called again ({@code Retry-After}), or null
 */
public record UpstreamAnswer(int status, byte[] body, Duration retryAfter) {

    public UpstreamAnswer(int status, byte[] body) {
        this(status, body, null);
    }
}
