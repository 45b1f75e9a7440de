package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.dev.RegistryStateGenerator;
import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.LuaStateMode;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.SimulatorConfig;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Searches and list pages by dryrun over a registry larger than one process page (250 skills; the
 * process pages List-Skills by 100, in a walk order that changes between evaluations): the same bodies
 * as HyperBEAM's, every skill listed once, all from one Search-Skills dry-run, against a compute unit
 * with the real per-address limit.
 */
class DryrunListingTest {

    private static final int SKILLS = 250;
    private static final List<String> PAGES = List.of("/api/skills?limit=100&offset=0",
            "/api/skills?limit=100&offset=100", "/api/skills?limit=100&offset=200", "/api/skills?limit=7&offset=243");
    private static RegistrySimulator simulator;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() throws Exception {
        Path state = Files.createTempFile("registry-state-" + SKILLS, ".json");
        new ObjectMapper().writeValue(state.toFile(),
                RegistryStateGenerator.generate(SKILLS, RegistryFixture.load().now(), 7));
        simulator = new RegistrySimulator(SimulatorConfig.builder(state).pinNowToStateFile()
                .luaState(LuaStateMode.DECODED).build()).start();
        gateway = GatewayHarness.start(simulator, Map.of("cache.enabled", "false",
                "hyperbeam.breaker.minimum-number-of-calls", "1000", "hyperbeam.breaker.sliding-window-size", "1000"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @AfterEach
    void heal() {
        simulator.faults(Upstream.HYPERBEAM).clear();
    }

    @Test
    void should_list_every_skill_once_as_hyperbeam_does_from_one_snapshot() throws Exception {
        Map<String, String> byHyperbeam = new LinkedHashMap<>();
        for (String page : PAGES) {
            byHyperbeam.put(page, read(page, "hyperbeam"));
        }
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.status(500));
        simulator.resetCounters();

        Set<String> listed = new TreeSet<>();
        for (String page : PAGES.subList(0, 3)) {
            String body = read(page, "dryrun");
            assertEquals(byHyperbeam.get(page), body, page);
            new ObjectMapper().readTree(body).path("skills").forEach(skill -> listed.add(skill.path("name").asText()));
        }
        assertEquals(byHyperbeam.get(PAGES.get(3)), read(PAGES.get(3), "dryrun"));

        assertEquals(SKILLS, listed.size(), "every skill listed once across the pages");
        assertTrue(simulator.calls(Upstream.COMPUTE_UNIT, "Search-Skills") <= 1, "one snapshot at most (the search may have read it)");
        assertEquals(0, simulator.calls(Upstream.COMPUTE_UNIT, "List-Skills"), "no paging across dry-runs");
    }

    @Test
    void should_answer_a_search_as_hyperbeam_does() {
        String search = "/api/skills/search?q=ao&limit=50&offset=10";
        String byHyperbeam = read(search, "hyperbeam");
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.status(500));

        assertEquals(byHyperbeam, read(search, "dryrun"));
    }

    private static String read(String path, String source) {
        HttpResponse<String> answer = gateway.get(path);
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(source, answer.headers().firstValue("X-Registry-Source").orElse(null), path);
        return answer.body();
    }
}
