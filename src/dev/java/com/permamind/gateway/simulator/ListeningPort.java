package com.permamind.gateway.simulator;

import io.vertx.core.Future;

/** The socket an upstream listens on, which the connection-refused fault takes away and gives back. */
interface ListeningPort {

    Future<Void> stopListening();

    /** Binds the port it had before, so clients configured with the old URL reconnect. */
    Future<Void> listenAgain();
}
