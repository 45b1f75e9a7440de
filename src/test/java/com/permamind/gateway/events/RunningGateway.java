package com.permamind.gateway.events;

import com.permamind.gateway.GatewayApplication;
import com.permamind.gateway.ans104.TestWallets;
import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.simulator.RegistrySimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * The real gateway application on a free port, wired to a simulator and a broker, for the download
 * events tests. (A shared helper is on its way in the support package; this one stays private here
 * until they are unified.)
 */
final class RunningGateway implements AutoCloseable {

    private static final long START_TIMEOUT_MS = 60_000;
    private static final Path WALLET_DIRECTORY = walletDirectory();

    private final Main main;
    private final Thread thread;
    private final int port;

    private RunningGateway(Main main, Thread thread, int port) {
        this.main = main;
        this.thread = thread;
        this.port = port;
    }

    /** Starts the gateway with the given settings on top of the upstreams' and returns once it serves. */
    static RunningGateway start(RegistrySimulator simulator, EmbeddedKafka kafka, Map<String, String> settings) {
        return start(simulator, kafka, settings, freePort());
    }

    static RunningGateway start(RegistrySimulator simulator, EmbeddedKafka kafka, Map<String, String> settings,
            int port) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("camel.server.host", "127.0.0.1");
        overrides.put("camel.server.port", Integer.toString(port));
        overrides.put("hyperbeam.nodes", simulator.hyperbeamUrl());
        overrides.put("ao.cu-url", simulator.cuUrl());
        overrides.put("ao.mu-url", simulator.muUrl());
        overrides.put("download-events.wallet-file", TestWallets.walletFile(WALLET_DIRECTORY).toString());
        overrides.put("registry.process-id", simulator.processId());
        overrides.put("registry.lua-module-id", simulator.moduleId());
        overrides.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        overrides.put("download-events.client-hash-secret", EventsTestSupport.CLIENT_HASH_SECRET);
        // as the dev launcher does; the reads' clock (an event's occurredAt is always the real time)
        overrides.put("gateway.clock-pinned-at", Long.toString(RegistryFixture.load().now()));
        overrides.putAll(settings);

        Main main = GatewayApplication.newMain();
        overrides.forEach(main::addOverrideProperty);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                main.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "gateway-under-test-" + port);
        thread.setDaemon(true);
        thread.start();

        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (!(started(main) && answers(port))) {
            if (failure.get() != null) {
                throw new IllegalStateException("the gateway did not start", failure.get());
            }
            if (!thread.isAlive() || System.currentTimeMillis() > deadline) {
                main.stop();
                throw new IllegalStateException("the gateway did not start within " + START_TIMEOUT_MS + " ms");
            }
            sleep(50);
        }
        return new RunningGateway(main, thread, port);
    }

    int port() {
        return port;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    /** Stops the gateway as an operator would (graceful shutdown) and waits for it. */
    @Override
    public void close() {
        main.stop();
        try {
            thread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path walletDirectory() {
        try {
            Path directory = Files.createTempDirectory("gateway-wallet");
            directory.toFile().deleteOnExit();
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean started(Main main) {
        CamelContext context = main.getCamelContext();
        return context != null && context.isStarted();
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
