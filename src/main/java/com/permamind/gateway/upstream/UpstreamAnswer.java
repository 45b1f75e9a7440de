package com.permamind.gateway.upstream;

/** An upstream answer's status and whole body. */
public record UpstreamAnswer(int status, byte[] body) {
}
