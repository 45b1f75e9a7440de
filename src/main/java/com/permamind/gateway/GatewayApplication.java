package com.permamind.gateway;

import org.apache.camel.main.Main;

/** Starts the gateway: routes, beans and settings come from application.properties. */
public final class GatewayApplication {

    private GatewayApplication() {
    }

    public static void main(String[] args) throws Exception {
        newMain().run(args);
    }

    /** The gateway's Camel main, for this launcher, the dev launcher and the tests alike. */
    public static Main newMain() {
        Main main = new Main(GatewayApplication.class);
        // must act before camel-main starts the HTTP server, earlier than properties can name it
        main.addMainListener(new HttpServerVertx());
        return main;
    }
}
