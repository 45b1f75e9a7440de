package com.permamind.gateway.simulator;

import static com.permamind.gateway.simulator.SimulatorTestSupport.fixtureConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What a compute unit of late 2025 does in front of the process (contract section 5): six dry-runs per
 * client address a minute, 429 beyond; an identical body answered from its 60 s cache without being
 * counted; 202 when busy; HTML pages for what its framework answers; another walk order each evaluation.
 */
class ComputeUnitLimitsTest {

    private static final String RATE_LIMITED = "{\"error\":\"Rate limit exceeded\"}";

    @Test
    void should_refuse_an_address_its_seventh_dry_run_in_a_minute_with_the_real_body() {
        try (RegistrySimulator simulator = new RegistrySimulator(fixtureConfig().build()).start()) {
            DryRunClient dryRun = new DryRunClient(simulator);
            for (int i = 0; i < 6; i++) {
                assertEquals(200, dryRun.send(Map.of("Action", "Get-Skill", "Name", "skill-" + i)).statusCode());
            }

            HttpResponse<String> seventh = dryRun.send(Map.of("Action", "Get-Skill", "Name", "skill-6"));

            assertEquals(429, seventh.statusCode());
            assertEquals(RATE_LIMITED, seventh.body());
            // another client address (a proxy names it) has a budget of its own
            assertEquals(200, new DryRunClient(simulator).sendFrom("203.0.113.9", Map.of("Action", "Info")).statusCode());
        }
    }

    @Test
    void should_answer_an_identical_body_from_its_cache_without_counting_it() {
        try (RegistrySimulator simulator = new RegistrySimulator(fixtureConfig().build()).start()) {
            DryRunClient dryRun = new DryRunClient(simulator);
            Map<String, String> search = Map.of("Action", "Search-Skills", "Query", "ao");
            String first = dryRun.send(search).body();
            for (int i = 0; i < 5; i++) {
                assertEquals(200, dryRun.send(Map.of("Action", "Get-Skill", "Name", "skill-" + i)).statusCode());
            }

            for (int i = 0; i < 10; i++) {
                HttpResponse<String> again = dryRun.send(search);
                assertEquals(200, again.statusCode());
                assertEquals(first, again.body(), "the cached result, byte for byte");
            }
            assertEquals(429, dryRun.send(Map.of("Action", "Info")).statusCode(), "the cache hits were not counted");
        }
    }

    @Test
    void should_admit_an_address_again_once_its_window_has_passed() throws InterruptedException {
        DryRunLimits.Settings twoASecond = new DryRunLimits.Settings(2, Duration.ofSeconds(1), Duration.ZERO);
        try (RegistrySimulator simulator = new RegistrySimulator(fixtureConfig().computeUnitLimits(twoASecond).build()).start()) {
            DryRunClient dryRun = new DryRunClient(simulator);
            dryRun.send(Map.of("Action", "Info"));
            dryRun.send(Map.of("Action", "Info"));
            assertEquals(429, dryRun.send(Map.of("Action", "Info")).statusCode());

            Thread.sleep(1_100);

            assertEquals(200, dryRun.send(Map.of("Action", "Info")).statusCode());
        }
    }

    @Test
    void should_answer_202_while_busy_and_html_for_an_unknown_path() {
        try (RegistrySimulator simulator = new RegistrySimulator(fixtureConfig().build()).start()) {
            simulator.computeUnitBusy(true);
            HttpResponse<String> busy = new DryRunClient(simulator).send(Map.of("Action", "Info"));
            assertEquals(202, busy.statusCode());
            assertTrue(busy.body().contains("in progress"), busy.body());

            HttpResponse<String> unknown = SimulatorTestSupport.post(simulator.cuUrl() + "/result/1?process-id=x", "{}");
            assertEquals(404, unknown.statusCode());
            assertTrue(unknown.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            assertTrue(unknown.body().contains("Cannot POST /result/1"), unknown.body());
        }
    }

    @Test
    void should_walk_the_skills_in_another_order_each_evaluation() {
        try (RegistrySimulator simulator = new RegistrySimulator(fixtureConfig()
                .computeUnitLimits(DryRunLimits.Settings.UNLIMITED).build()).start()) {
            DryRunClient dryRun = new DryRunClient(simulator);
            List<String> first = names(dryRun.reply(Map.of("Action", "Search-Skills")));
            List<String> second = names(dryRun.reply(Map.of("Action", "Search-Skills")));

            assertEquals(new TreeSet<>(first), new TreeSet<>(second), "the same skills");
            assertNotEquals(first, second, "in another order");
        }
    }

    private static List<String> names(JsonNode reply) {
        List<String> names = new ArrayList<>();
        DryRunClient.data(reply).forEach(record -> names.add(record.path("name").asText()));
        return names;
    }
}
