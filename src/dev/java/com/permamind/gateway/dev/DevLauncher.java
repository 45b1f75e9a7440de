package com.permamind.gateway.dev;

import com.permamind.gateway.GatewayApplication;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.main.Main;

/**
 * The embedded default: the registry simulator on the fixture state (a HyperBEAM node, a compute
 * unit and a messenger unit), an in-process Kafka broker, and the gateway wired to them on port
 * 8080, signing its download messages with a throwaway wallet made at start.
 * Everything stops on Ctrl-C. Run with {@code mvn -q test-compile exec:java}. A route file saved in
 * {@code src/main/resources/routes/} (or {@code -Ddev.routes-dir}) is served at once, without a rebuild.
 */
public final class DevLauncher {

    private DevLauncher() {
    }

    /**
     * Camel's route reloading on a directory of route files: the routes of a file saved there replace
     * those of the same ids. Only the saved file's routes are reloaded: Camel 4.18, told to reload
     * every route, loads a file of several routes once per route and fails on their duplicate ids.
     * The REST DSL's routes stay apart from the direct routes they call (not inlined into them), so a
     * reloaded direct route keeps its REST entry.
     */
    public static Map<String, String> routeReloading(Path directory) {
        return Map.of("camel.main.routes-reload-enabled", "true",
                "camel.main.routes-reload-directory", directory.toAbsolutePath().toString(),
                "camel.main.routes-reload-pattern", "*.yaml",
                "camel.main.routes-reload-remove-all-routes", "false",
                "camel.rest.inline-routes", "false");
    }

    public static void main(String[] args) throws Exception {
        RegistryFixture fixture = RegistryFixture.load();
        RegistrySimulator simulator = new RegistrySimulator(SimulatorConfig.builder(RegistryFixture.defaultPath())
                .hyperbeamPort(Integer.getInteger("dev.hyperbeam.port", 8734))
                .computeUnitPort(Integer.getInteger("dev.cu.port", 6363))
                .messengerUnitPort(Integer.getInteger("dev.mu.port", 0))
                .pinNowToStateFile()
                .build()).start();
        EmbeddedKafka kafka = EmbeddedKafka.start(Integer.getInteger("dev.kafka.port", 9092));

        Main gateway = GatewayApplication.newMain();
        gateway.addOverrideProperty("hyperbeam.nodes", simulator.hyperbeamUrl());
        gateway.addOverrideProperty("ao.cu-url", simulator.cuUrl());
        gateway.addOverrideProperty("ao.mu-url", simulator.muUrl());
        // no wallet file to manage in a demo: the gateway makes one at start and says so
        gateway.addOverrideProperty("download-events.wallet-throwaway", "true");
        gateway.addOverrideProperty("registry.process-id", simulator.processId());
        gateway.addOverrideProperty("registry.lua-module-id", simulator.moduleId());
        // the simulator's module id was never published: there is nothing on Arweave to compare
        gateway.addOverrideProperty("arweave.drift-check-enabled", "false");
        gateway.addOverrideProperty("kafka.bootstrap-servers", kafka.bootstrapServers());
        // any origin may read the embedded default; a deployment lists its web app's (gateway.cors-origins)
        gateway.addOverrideProperty("gateway.cors-origins", "*");
        // the fixture is a snapshot: its clock makes the 7- and 30-day windows meaningful
        gateway.addOverrideProperty("gateway.clock-pinned-at", Long.toString(fixture.now()));
        Path routes = Path.of(System.getProperty("dev.routes-dir", "src/main/resources/routes"));
        if (Files.isDirectory(routes)) {
            routeReloading(routes).forEach(gateway::addOverrideProperty);
        }

        Thread stopUpstreams = new Thread(() -> {
            simulator.stop();
            kafka.stop();
        }, "dev-launcher-shutdown");
        Runtime.getRuntime().addShutdownHook(stopUpstreams);

        System.out.printf("%nRegistry simulator: HyperBEAM %s, compute unit %s (admin: %s/__admin/faults)%n"
                + "Kafka: %s%nGateway: http://localhost:%s/api/skills/search?q=ao  (Ctrl-C stops everything)%n%n",
                simulator.hyperbeamUrl(), simulator.cuUrl(), simulator.hyperbeamUrl(), kafka.bootstrapServers(),
                System.getProperty("camel.server.port", "8080"));
        try {
            gateway.run(args);
        } finally {
            // also when the gateway could not start: nothing may keep the JVM alive after it
            Runtime.getRuntime().removeShutdownHook(stopUpstreams);
            stopUpstreams.run();
        }
    }
}
