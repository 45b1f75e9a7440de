package com.permamind.gateway.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.dev.RegistryStateGenerator;
import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.lua.RegistryState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Calls per second through the luaj bridge over a generated 5,000-skill state, decoding excluded
 * (the state is decoded once, as the gateway does). Run with bench/lua-bridge.
 */
public final class LuaBridgeBenchmark {

    private static final long WARMUP_NANOS = 2_000_000_000L;
    private static final long MEASURE_NANOS = 4_000_000_000L;

    private LuaBridgeBenchmark() {
    }

    public static void main(String[] args) {
        int skills = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        ObjectNode document = RegistryStateGenerator.generate(skills, 1763769600000L, 42);
        RegistryFixture state = RegistryFixture.of(document);
        String json = state.skillsJson();
        RegistryModule module = RegistryModule.load();

        long start = System.nanoTime();
        RegistryState decoded = module.decode(json);
        double decodeMs = (System.nanoTime() - start) / 1e6;
        String someSkill = document.get("skills").fieldNames().next();
        String now = Long.toString(state.now());

        List<String[]> rows = new ArrayList<>();
        rows.add(row("get-skill", module, decoded, Map.of("name", someSkill)));
        rows.add(row("search-skills", module, decoded, Map.of("q", "gateway")));
        rows.add(row("search-skills (empty q)", module, decoded, Map.of()));
        rows.add(row("list-skills", module, decoded, Map.of("tags", "ao", "limit", "50")));
        rows.add(row("get-download-stats", module, decoded, Map.of("name", someSkill, "now", now)));

        System.out.printf("Lua bridge (luaj), %d skills, %.1f MB of JSON, decoded once in %.0f ms%n",
                skills, json.length() / 1e6, decodeMs);
        System.out.printf("%-26s %14s %12s%n", "query", "calls/s", "us/call");
        rows.forEach(r -> System.out.printf("%-26s %14s %12s%n", r[0], r[1], r[2]));
    }

    private static String[] row(String label, RegistryModule module, RegistryState state, Map<String, String> req) {
        String function = label.split(" ")[0];
        run(function, module, state, req, WARMUP_NANOS);
        long calls = run(function, module, state, req, MEASURE_NANOS);
        double perSecond = calls / (MEASURE_NANOS / 1e9);
        return new String[] {label, String.format("%,.0f", perSecond), String.format("%.1f", 1e6 / perSecond)};
    }

    private static long run(String function, RegistryModule module, RegistryState state, Map<String, String> req,
            long nanos) {
        long calls = 0;
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            if (!module.call(function, state, req).startsWith("{\"data\"")) {
                throw new IllegalStateException(function + " failed: " + module.call(function, state, req));
            }
            calls++;
        }
        return calls;
    }
}
