package com.permamind.gateway;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.LogManager;

/** Starts the gateway: routes, beans and settings come from application.properties. */
public final class GatewayApplication {

    private GatewayApplication() {
    }

    public static void main(String[] args) throws Exception {
        // log4j would stop logging as soon as the JVM begins to exit, in a shutdown hook of its own
        // running beside Camel's: the graceful shutdown that follows a SIGTERM would not be logged.
        // Instead it is stopped (its buffered and queued lines written) once the gateway has stopped.
        if (System.getProperty("log4j2.shutdownHookEnabled") == null) {
            System.setProperty("log4j2.shutdownHookEnabled", "false");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                // Camel's own hook waits for the shutdown timeout and 15 s more, at most
                stopped.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LogManager.shutdown();
        }, "gateway-logs-flush"));
        try {
            newMain().run(args);
        } finally {
            stopped.countDown();
        }
    }

    /** The gateway's Camel main, for this launcher, the dev launcher and the tests alike. */
    public static Main newMain() {
        Main main = new Main(GatewayApplication.class);
        main.addMainListener(new VirtualThreadClasses());
        // must act before camel-main starts the HTTP server, earlier than properties can name it
        main.addMainListener(new HttpServerVertx());
        // before Camel's graceful shutdown: refuse new requests, stop the Kafka consumers between events
        main.addMainListener(new GracefulStop());
        return main;
    }
}
