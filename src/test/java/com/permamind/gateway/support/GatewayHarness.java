package com.permamind.gateway.support;

import com.permamind.gateway.GatewayApplication;
import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.simulator.DryRunLimits;
import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.LuaStateMode;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.SimulatorConfig;
import com.permamind.gateway.simulator.Upstream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * The real gateway application (its properties, routes and beans) on a free port, wired to a
 * registry simulator on the fixture state, with the clocks of both pinned to the fixture's now.
 */
public final class GatewayHarness implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final RegistrySimulator simulator;
    private final Main main;
    private final Thread runner;
    private final URI base;
    private final URI management;

    private GatewayHarness(RegistrySimulator simulator, Map<String, String> overrides, Clock clock) {
        this.simulator = simulator;
        int port = freePort();
        this.base = URI.create("http://127.0.0.1:" + port);
        int managementPort = freePort();
        this.management = URI.create("http://127.0.0.1:" + managementPort);
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("camel.server.host", "127.0.0.1");
        properties.put("camel.server.port", Integer.toString(port));
        properties.put("camel.management.host", "127.0.0.1");
        properties.put("camel.management.port", Integer.toString(managementPort));
        properties.put("hyperbeam.nodes", simulator.hyperbeamUrl());
        properties.put("ao.cu-url", simulator.cuUrl());
        properties.put("registry.process-id", simulator.processId());
        properties.put("registry.lua-module-id", simulator.moduleId());
        properties.put("gateway.clock-pinned-at", Long.toString(RegistryFixture.load().now()));
        properties.put("hyperbeam.timeout-millis", "1500");
        properties.put("arweave.drift-check-enabled", "false");
        properties.put("gateway.cors-origins", "*");
        properties.putAll(overrides);
        this.main = GatewayApplication.newMain();
        properties.forEach(main::addOverrideProperty);
        if (clock != null) {
            main.bind("registryClock", clock);
        }
        this.runner = new Thread(() -> {
            try {
                main.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "gateway-under-test");
    }

    /** A simulator on the fixture and a gateway in front of it; {@code overrides} are gateway properties. */
    public static GatewayHarness start(Map<String, String> overrides) {
        return start(startSimulator(), overrides);
    }

    /** A gateway in front of a simulator that the caller owns and stops. */
    public static GatewayHarness start(RegistrySimulator simulator, Map<String, String> overrides) {
        return start(simulator, overrides, null);
    }

    /** A gateway whose minute (the {@code now} of clocked reads) is {@code clock}'s, which the test moves. */
    public static GatewayHarness start(Map<String, String> overrides, Clock clock) {
        return start(startSimulator(), overrides, clock);
    }

    private static GatewayHarness start(RegistrySimulator simulator, Map<String, String> overrides, Clock clock) {
        GatewayHarness harness = new GatewayHarness(simulator, overrides, clock);
        harness.runner.start();
        harness.awaitReady();
        return harness;
    }

    public static GatewayHarness start() {
        return start(Map.of());
    }

    /**
     * A gateway in front of a compute unit run for it alone, without the per-address dry-run limit and
     * the result cache of a public one ({@code ao.dryruns-per-minute=0}, and nothing reused, on both
     * sides): for tests of something other than that limit, which need more than six dry-runs a minute
     * or each dryrun answer read anew.
     */
    public static GatewayHarness startWithOwnComputeUnit(Map<String, String> overrides) {
        return start(startSimulator(DryRunLimits.Settings.UNLIMITED), withOwnComputeUnit(overrides));
    }

    /** As {@link #startWithOwnComputeUnit(Map)}, with the gateway's minute taken from {@code clock}. */
    public static GatewayHarness startWithOwnComputeUnit(Map<String, String> overrides, Clock clock) {
        return start(startSimulator(DryRunLimits.Settings.UNLIMITED), withOwnComputeUnit(overrides), clock);
    }

    /** {@code overrides} and the gateway's side of a compute unit of its own: no dry-run budget. */
    public static Map<String, String> withOwnComputeUnit(Map<String, String> overrides) {
        Map<String, String> properties = new LinkedHashMap<>(overrides);
        properties.putIfAbsent("ao.dryruns-per-minute", "0");
        properties.putIfAbsent("ao.snapshot-reuse-seconds", "0");
        return properties;
    }

    /** The simulator as the real network is: a compute unit with its per-address limit and result cache. */
    public static RegistrySimulator startSimulator() {
        return startSimulator(DryRunLimits.Settings.REAL);
    }

    public static RegistrySimulator startSimulator(DryRunLimits.Settings computeUnitLimits) {
        return new RegistrySimulator(SimulatorConfig.builder(RegistryFixture.defaultPath())
                .pinNowToStateFile().luaState(LuaStateMode.DECODED).computeUnitLimits(computeUnitLimits).build()).start();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!runner.isAlive()) {
                throw new IllegalStateException("the gateway stopped while starting");
            }
            // the HTTP server answers before every route is registered: wait for the context too
            if (main.getCamelContext() == null || !main.getCamelContext().isStarted()) {
                sleep(100);
                continue;
            }
            try {
                HTTP.send(HttpRequest.newBuilder(base.resolve("/api/openapi.json")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the gateway did not answer on " + base + " within 60 s");
    }

    public RegistrySimulator simulator() {
        return simulator;
    }

    /** The running gateway's context, for what only its registry can tell (a pool's queue). */
    public CamelContext context() {
        return main.getCamelContext();
    }

    public URI uri(String pathAndQuery) {
        return base.resolve(pathAndQuery);
    }

    /** The management server: /observe/health, /observe/metrics. */
    public HttpResponse<String> management(String path) {
        return send(HttpRequest.newBuilder(management.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    public HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    /** Which tier or cache answered (X-Registry-Source), or why none did. */
    public static String source(HttpResponse<String> answer) {
        return answer.headers().firstValue("X-Registry-Source").orElse("none (" + answer.statusCode() + ")");
    }

    /**
     * HyperBEAM answers 500 from now on, and {@code minimumCalls} reads (the breaker's minimum number of
     * calls, as the test configured it) fail over to dryrun, which opens HyperBEAM's breaker.
     */
    public void openHyperbeamBreaker(int minimumCalls) {
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.status(500));
        for (int i = 0; i < minimumCalls; i++) {
            String answeredBy = source(get("/api/skills/search?q=open-the-breaker-" + i));
            if (!"dryrun".equals(answeredBy)) {
                throw new AssertionError("a read while HyperBEAM fails was answered by " + answeredBy + ", not dryrun");
            }
        }
    }

    /** Reads the path until its answer comes from the source, or fails after the time given. */
    public HttpResponse<String> awaitSource(String pathAndQuery, String source, long withinMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + withinMillis;
        HttpResponse<String> answer = get(pathAndQuery);
        while (!source.equals(source(answer)) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            answer = get(pathAndQuery);
        }
        if (!source.equals(source(answer))) {
            throw new AssertionError("no answer from " + source + " within " + withinMillis + " ms: " + source(answer));
        }
        return answer;
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        main.completed();
        try {
            runner.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        simulator.stop();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
