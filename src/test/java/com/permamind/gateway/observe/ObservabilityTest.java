package com.permamind.gateway.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What an operator sees on the management port while the upstreams come and go. */
class ObservabilityTest {

    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of("gateway.health-probe-seconds", "0",
                "hyperbeam.timeout-millis", "500",
                "hyperbeam.breaker.minimum-number-of-calls", "2", "hyperbeam.breaker.sliding-window-size", "2",
                "hyperbeam.breaker.wait-millis-in-open-state", "60000"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @AfterEach
    void heal() {
        gateway.simulator().reset();
    }

    @Test
    void should_count_reads_by_source_and_fallbacks_and_show_the_breaker_open() throws Exception {
        gateway.get("/api/skills/cron");
        gateway.get("/api/skills/cron");
        assertEquals(1.0, value("registry_requests_seconds_count", "query=\"get-skill\"", "source=\"hyperbeam\""));
        assertEquals(1.0, value("registry_requests_seconds_count", "query=\"get-skill\"", "source=\"cache\""));
        assertEquals(1.0, value("registry_upstream_seconds_count", "tier=\"hyperbeam\"", "outcome=\"ok\""));
        assertEquals(1.0, value("resilience4j_circuitbreaker_state", "name=\"hyperbeam\"", "state=\"closed\""));

        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.status(500));
        gateway.get("/api/skills/dao");
        gateway.get("/api/skills/dex");
        gateway.get("/api/skills/vote");

        assertEquals(3.0, value("registry_fallbacks_total", "query=\"get-skill\""));
        assertEquals(3.0, value("registry_requests_seconds_count", "query=\"get-skill\"", "source=\"dryrun\""));
        // one success and one failure in a window of two: the breaker opens on the first failure
        assertEquals(1.0, value("registry_upstream_seconds_count", "tier=\"hyperbeam\"", "outcome=\"failure\""));
        assertEquals(1.0, value("resilience4j_circuitbreaker_state", "name=\"hyperbeam\"", "state=\"open\""));

        JsonNode performance = json(gateway.get("/api/performance")).path("queries").path("get-skill");
        assertEquals(1, performance.path("hyperbeam").path("count").asInt());
        assertEquals(3, performance.path("dryrun").path("count").asInt());
        assertEquals(1, performance.path("cache").path("count").asInt());
        assertTrue(performance.path("dryrunOverHyperbeam").path("p50").isNumber(), performance.toString());
    }

    @Test
    void should_expose_metrics_that_promtool_accepts() throws Exception {
        assumeTrue(System.getenv("CI") != null || new ProcessBuilder("which", "promtool").start().waitFor() == 0,
                "promtool (Debian package prometheus) is not installed");
        gateway.get("/api/skills/search?q=ao");
        Process check = new ProcessBuilder("ops/check-metrics", "-").redirectErrorStream(true).start();
        try (var in = check.getOutputStream()) {
            in.write(gateway.management("/observe/metrics").body().getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, check.waitFor(), output);
    }

    private static JsonNode json(HttpResponse<String> answer) throws Exception {
        return new ObjectMapper().readTree(answer.body());
    }

    @Test
    void should_stay_ready_but_degraded_without_hyperbeam_and_not_ready_without_either_tier() {
        HttpResponse<String> ready = gateway.management("/observe/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());

        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.connectionRefused());
        HttpResponse<String> degraded = gateway.management("/observe/health/ready?data=true");
        assertEquals(200, degraded.statusCode(), degraded.body());
        assertTrue(degraded.body().contains("\"degraded\": true") || degraded.body().contains("\"degraded\":true"),
                degraded.body());
        assertTrue(degraded.body().contains("\"kafka\""), "Kafka is reported: " + degraded.body());

        gateway.simulator().faults(Upstream.COMPUTE_UNIT).inject(Fault.status(503));
        HttpResponse<String> down = gateway.management("/observe/health/ready");
        assertEquals(503, down.statusCode(), down.body());

        gateway.simulator().faults(Upstream.HYPERBEAM).clear();
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).clear();
        assertEquals(200, gateway.management("/observe/health/ready").statusCode());
        assertEquals(200, gateway.management("/observe/health/live").statusCode());
    }

    private static double value(String metric, String... labels) {
        String metrics = gateway.management("/observe/metrics").body();
        return metrics.lines()
                .filter(line -> line.startsWith(metric + "{"))
                .filter(line -> java.util.Arrays.stream(labels).allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
