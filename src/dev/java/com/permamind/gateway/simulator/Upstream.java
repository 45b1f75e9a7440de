package com.permamind.gateway.simulator;

import java.util.Arrays;
import java.util.Locale;

/**
 * The remote services the gateway calls, each served by the simulator on its own port: the two it
 * reads from, and the legacy messenger unit it can send download messages to (HyperBEAM takes them too).
 */
public enum Upstream {
    HYPERBEAM("hyperbeam"),
    COMPUTE_UNIT("cu"),
    MESSENGER_UNIT("mu");

    private final String id;

    Upstream(String id) {
        this.id = id;
    }

    /** Short name used in the admin endpoint ({@code ?upstream=hyperbeam|cu|mu}). */
    public String id() {
        return id;
    }

    public static Upstream fromId(String id) {
        String wanted = id.toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(upstream -> upstream.id.equals(wanted))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown upstream '" + id + "', expected hyperbeam, cu or mu"));
    }
}
