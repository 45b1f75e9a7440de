package com.permamind.gateway.simulator;

/** How the HyperBEAM emulation hands {@code base.skills} to the Lua module. */
public enum LuaStateMode {
    /** As the node does: the JSON string, decoded by the module on every read. */
    JSON_STRING,
    /** Decoded once at start: much faster, for benchmarks that measure the gateway rather than Lua decoding. */
    DECODED
}
