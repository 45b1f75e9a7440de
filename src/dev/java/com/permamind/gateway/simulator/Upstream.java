package com.permamind.gateway.simulator;

import java.util.Arrays;
import java.util.Locale;

/** The two remote services the gateway reads from, each served by the simulator on its own port. */
public enum Upstream {
    HYPERBEAM("hyperbeam"),
    COMPUTE_UNIT("cu");

    private final String id;

    Upstream(String id) {
        this.id = id;
    }

    /** Short name used in the admin endpoint ({@code ?upstream=hyperbeam|cu}). */
    public String id() {
        return id;
    }

    public static Upstream fromId(String id) {
        String wanted = id.toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(upstream -> upstream.id.equals(wanted))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown upstream '" + id + "', expected hyperbeam or cu"));
    }
}
