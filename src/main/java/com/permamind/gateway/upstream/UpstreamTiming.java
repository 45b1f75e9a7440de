package com.permamind.gateway.upstream;

import org.apache.camel.Exchange;

/** Records which upstream answered and how long it took, for the answer's headers and metrics. */
public final class UpstreamTiming {

    public static final String SOURCE = "registrySource";
    public static final String UPSTREAM_NANOS = "registryUpstreamNanos";

    private UpstreamTiming() {
    }

    static void record(Exchange exchange, String source, long startNanos) {
        exchange.setProperty(SOURCE, source);
        exchange.setProperty(UPSTREAM_NANOS, System.nanoTime() - startNanos);
    }
}
