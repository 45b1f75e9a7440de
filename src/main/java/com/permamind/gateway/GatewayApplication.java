package com.permamind.gateway;

import org.apache.camel.main.Main;

/** Starts the gateway: routes, beans and settings come from application.properties. */
public final class GatewayApplication {

    private GatewayApplication() {
    }

    public static void main(String[] args) throws Exception {
        new Main(GatewayApplication.class).run(args);
    }
}
