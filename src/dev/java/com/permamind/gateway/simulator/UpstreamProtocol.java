package com.permamind.gateway.simulator;

import io.vertx.ext.web.RoutingContext;

/** What one upstream answers on its protocol endpoints, once faults have let a request through. */
interface UpstreamProtocol {

    /** Counted under this name when the request cannot be read as a call. */
    String UNRECOGNISED = "?";

    /** The name the call counter files the request under (the Lua function, or the dryrun Action). */
    String functionOf(RoutingContext context);

    void answer(RoutingContext context);
}
