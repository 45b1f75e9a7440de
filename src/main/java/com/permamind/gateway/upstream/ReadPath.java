package com.permamind.gateway.upstream;

import java.util.Locale;

/** How reads reach the registry ({@code registry.read-path}): the operators' switch, set at start. */
public enum ReadPath {
    /** HyperBEAM inside its circuit breaker, the dryrun as its fallback. */
    HYPERBEAM,
    /** The compute unit alone: the rollback while the nodes cannot be trusted. */
    DRYRUN;

    public static ReadPath of(String setting) {
        try {
            return valueOf(setting.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("registry.read-path must be hyperbeam or dryrun, not '" + setting + "'");
        }
    }

    public String setting() {
        return name().toLowerCase(Locale.ROOT);
    }
}
