package com.permamind.gateway.simulator;

import java.util.Arrays;

/** How an upstream misbehaves; the admin endpoint names each mode by its {@link #id()}. */
public enum FaultMode {
    /** Answers normally, only late: the fault's latency is the whole point. */
    SLOW("slow"),
    /** Answers with the fault's HTTP status and body instead of the real answer. */
    STATUS("status"),
    /** 200 with an HTML page, as a proxy or captive portal in front of the node would send. */
    NON_JSON("non-json"),
    /** Announces a Content-Length, sends half of it, then closes the connection. */
    TRUNCATED_BODY("truncated-body"),
    /** The port stops listening until the fault is cleared; clearing rebinds the same port. */
    CONNECTION_REFUSED("connection-refused"),
    /** Accepts the request and never answers, so only the client's timeout ends it. */
    HANG("hang"),
    /** 200 with a JSON body of 64 MB, chunked (no length announced), sent as fast as the client reads it. */
    HUGE_BODY("huge-body");

    private final String id;

    FaultMode(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static FaultMode fromId(String id) {
        return Arrays.stream(values())
                .filter(mode -> mode.id.equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown fault mode '" + id + "'"));
    }
}
