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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Searches and list pages by dryrun over a registry larger than one process page (250 skills, the
 * process pages by 100): the same bodies as HyperBEAM's, and one fetch of a listing's records
 * serves all its pages.
 */
class DryrunListingTest {

    private static final int SKILLS = 250;
    private static final List<String> PAGES = List.of("/api/skills?limit=100&offset=0",
            "/api/skills?limit=100&offset=100", "/api/skills?limit=100&offset=200", "/api/skills?limit=7&offset=243");
    private static Path state;
    private static RegistrySimulator simulator;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() throws Exception {
        state = Files.createTempFile("registry-state-" + SKILLS, ".json");
        new ObjectMapper().writeValue(state.toFile(),
                RegistryStateGenerator.generate(SKILLS, RegistryFixture.load().now(), 7));
        simulator = simulatorOn(state);
        gateway = GatewayHarness.start(simulator, Map.of("cache.enabled", "false",
                "hyperbeam.breaker.minimum-number-of-calls", "1000", "hyperbeam.breaker.sliding-window-size", "1000"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void should_answer_every_page_of_a_listing_as_hyperbeam_does_from_one_fetch_of_its_records() {
        Map<String, String> byHyperbeam = new LinkedHashMap<>();
        for (String page : PAGES) {
            byHyperbeam.put(page, read(page, "hyperbeam"));
        }
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.status(500));
        simulator.resetCounters();

        for (String page : PAGES) {
            assertEquals(byHyperbeam.get(page), read(page, "dryrun"), page);
        }
        assertEquals((SKILLS + 99) / 100, simulator.calls(Upstream.COMPUTE_UNIT, "List-Skills"),
                "List-Skills dryruns for " + PAGES.size() + " pages of one listing");
        simulator.reset();
    }

    @Test
    void should_answer_a_search_as_hyperbeam_does() {
        String search = "/api/skills/search?q=ao&limit=50&offset=10";
        String byHyperbeam = read(search, "hyperbeam");
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.status(500));

        assertEquals(byHyperbeam, read(search, "dryrun"));
        simulator.reset();
    }

    @Test
    void should_not_count_listing_reads_turned_away_for_lack_of_a_turn_against_the_compute_unit() throws Exception {
        // a turn is waited for at most the dryrun's time limit (1 s here); 16 searches of 0.4 s each
        // on as many turns as cores leave the later ones without one
        Map<String, String> settings = new LinkedHashMap<>(Map.of("cache.enabled", "false", "ao.timeout-millis", "1000",
                "hyperbeam.breaker.minimum-number-of-calls", "1000", "hyperbeam.breaker.sliding-window-size", "1000"));
        RegistrySimulator upstreams = simulatorOn(state);
        // stops its simulator when closed
        try (GatewayHarness turns = GatewayHarness.start(upstreams, settings)) {
            upstreams.faults(Upstream.HYPERBEAM).inject(Fault.status(500));
            upstreams.faults(Upstream.COMPUTE_UNIT).inject(Fault.latency(400, 0));
            ExecutorService readers = Executors.newFixedThreadPool(16);
            List<Future<HttpResponse<String>>> searches = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String q = "skill-" + i;
                searches.add(readers.submit(() -> turns.get("/api/skills/search?q=" + q)));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<HttpResponse<String>> search : searches) {
                statuses.add(search.get(60, TimeUnit.SECONDS).statusCode());
            }
            readers.shutdown();
            assertTrue(statuses.contains(503), "no search was turned away, nothing was tested: " + statuses);

            HttpResponse<String> info = turns.get("/api/info");

            assertEquals(200, info.statusCode(), "the compute unit's breaker opened: " + info.body());
            assertEquals("dryrun", info.headers().firstValue("X-Registry-Source").orElse(null));
        }
    }

    private static RegistrySimulator simulatorOn(Path state) {
        return new RegistrySimulator(SimulatorConfig.builder(state).pinNowToStateFile()
                .luaState(LuaStateMode.DECODED).build()).start();
    }

    private static String read(String path, String source) {
        HttpResponse<String> answer = gateway.get(path);
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(source, answer.headers().firstValue("X-Registry-Source").orElse(null), path);
        return answer.body();
    }
}
