package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The command line of {@link RegistrySimulator#main}: {@code --key=value} arguments, or system
 * properties {@code simulator.key}, with the keys {@code state}, {@code host}, {@code hyperbeam.port},
 * {@code cu.port}, {@code mu.port}, {@code process.id}, {@code module.id}, {@code lua.state} ({@code json-string} or
 * {@code decoded}), {@code now} ({@code system}, {@code state} or milliseconds) and {@code seed}; for
 * the compute unit {@code cu.dry-runs-per-minute} (its per-address limit, 6 as the real one; 0 = none);
 * for the HyperBEAM node, {@code hyperbeam.lua} ({@code luerl-1.3} or {@code luaj}) and its
 * {@link NodeRules}: {@code hyperbeam.price}, {@code hyperbeam.balance},
 * {@code hyperbeam.requests-per-window}, {@code hyperbeam.window-millis}, {@code hyperbeam.now-latency-millis}.
 * Without {@code state}: {@code $REGISTRY_FIXTURE}, else {@code ../shared/fixtures/registry-state.json}.
 */
record SimulatorSettings(Map<String, String> values) {

    private static final String PROPERTY_PREFIX = "simulator.";
    private static final String DEFAULT_STATE_FILE = "../shared/fixtures/registry-state.json";
    private static final Map<String, String> NODE_RULES = Map.of("hyperbeam.price", "price",
            "hyperbeam.balance", "balance", "hyperbeam.requests-per-window", "requestsPerWindow",
            "hyperbeam.window-millis", "windowMillis", "hyperbeam.now-latency-millis", "nowLatencyMillis");

    static SimulatorSettings from(String[] args, Properties properties, Map<String, String> environment) {
        Map<String, String> values = new HashMap<>();
        values.put("state", environment.getOrDefault("REGISTRY_FIXTURE", DEFAULT_STATE_FILE));
        properties.stringPropertyNames().stream()
                .filter(name -> name.startsWith(PROPERTY_PREFIX))
                .forEach(name -> values.put(name.substring(PROPERTY_PREFIX.length()), properties.getProperty(name)));
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (!arg.startsWith("--") || equals < 0) {
                throw new IllegalArgumentException("expected --key=value, got " + arg);
            }
            values.put(arg.substring(2, equals), arg.substring(equals + 1));
        }
        return new SimulatorSettings(values);
    }

    SimulatorConfig toConfig() {
        SimulatorConfig.Builder builder = SimulatorConfig.builder(Path.of(values.get("state")));
        ifSet("host", builder::host);
        ifSet("hyperbeam.port", port -> builder.hyperbeamPort(Integer.parseInt(port)));
        ifSet("cu.port", port -> builder.computeUnitPort(Integer.parseInt(port)));
        ifSet("mu.port", port -> builder.messengerUnitPort(Integer.parseInt(port)));
        ifSet("process.id", builder::processId);
        ifSet("module.id", builder::moduleId);
        ifSet("lua.state", mode -> builder.luaState(LuaStateMode.valueOf(mode.toUpperCase(Locale.ROOT).replace('-', '_'))));
        ifSet("seed", seed -> builder.orderSeed(Long.parseLong(seed)));
        ifSet("cu.dry-runs-per-minute", limit -> builder.computeUnitLimits(new DryRunLimits.Settings(
                Integer.parseInt(limit), Duration.ofSeconds(60), DryRunLimits.Settings.REAL.resultCache())));
        ifSet("now", now -> {
            if ("state".equals(now)) {
                builder.pinNowToStateFile();
            } else if (!"system".equals(now)) {
                builder.pinNow(Long.parseLong(now));
            }
        });
        ifSet("hyperbeam.lua", lua -> builder.nodeLua(LuaSemantics.fromId(lua)));
        ObjectNode rules = new ObjectMapper().createObjectNode();
        NODE_RULES.forEach((key, field) -> ifSet(key, value -> rules.put(field, Long.parseLong(value))));
        builder.nodeRules(NodeRules.DEFAULT.with(rules));
        return builder.build();
    }

    private void ifSet(String key, Consumer<String> apply) {
        String value = values.get(key);
        if (value != null && !value.isBlank()) {
            apply.accept(value.trim());
        }
    }
}
