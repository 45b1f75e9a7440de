package com.permamind.gateway.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import com.permamind.gateway.support.LogCapture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What an operator sees on the management port while the upstreams come and go. */
class ObservabilityTest {

    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.startWithOwnComputeUnit(Map.of("gateway.health-probe-seconds", "0",
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
        assertEquals(1.0, settled(1.0, "registry_requests_seconds_count", "query=\"get-skill\"", "source=\"hyperbeam\""));
        assertEquals(1.0, settled(1.0, "registry_requests_seconds_count", "query=\"get-skill\"", "source=\"cache\""));
        assertEquals(1.0, value("registry_upstream_seconds_count", "tier=\"hyperbeam\"", "outcome=\"ok\""));
        assertEquals(1.0, value("resilience4j_circuitbreaker_state", "name=\"hyperbeam\"", "state=\"closed\""));

        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.status(500));
        gateway.get("/api/skills/dao");
        gateway.get("/api/skills/dex");
        gateway.get("/api/skills/vote");

        assertEquals(3.0, settled(3.0, "registry_fallbacks_total", "query=\"get-skill\""));
        assertEquals(3.0, settled(3.0, "registry_requests_seconds_count", "query=\"get-skill\"", "source=\"dryrun\""));
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

    @Test
    void should_log_one_line_per_read_with_its_query_source_status_and_durations_and_no_client_address()
            throws Exception {
        List<String> lines;
        // the tests' log configuration keeps this logger at WARN, quiet; the gateway's runs it at INFO
        try (LogCapture log = LogCapture.of("com.permamind.gateway.requests", Level.INFO)) {
            for (int i = 0; i < 2; i++) {
                GatewayHarness.send(HttpRequest.newBuilder(gateway.uri("/api/skills/permaweb/versions"))
                        .header("X-Forwarded-For", "203.0.113.77").build());
            }
            long until = System.nanoTime() + 5_000_000_000L;
            while (log.lines().size() < 2 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            lines = List.copyOf(log.lines());
        }

        // the breaker another test opened may still be open: the first read is HyperBEAM's or the dryrun's
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("get-skill-versions status=200 source=(hyperbeam|dryrun) total=[0-9]+\\.[0-9]ms"
                + " upstream=[0-9]+\\.[0-9]ms"), lines.get(0));
        assertTrue(lines.get(1).matches("get-skill-versions status=200 source=cache total=[0-9]+\\.[0-9]ms"),
                lines.get(1));
        assertTrue(lines.stream().noneMatch(line -> line.contains("203.0.113")), lines.toString());
    }

    private static JsonNode json(HttpResponse<String> answer) throws Exception {
        return new ObjectMapper().readTree(answer.body());
    }

    @Test
    void should_stay_ready_but_degraded_without_hyperbeam_and_while_the_cache_serves_without_either_tier() {
        assertEquals(200, gateway.get("/api/skills/cron/versions").statusCode());
        HttpResponse<String> ready = gateway.management("/observe/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());

        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.connectionRefused());
        HttpResponse<String> degraded = gateway.management("/observe/health/ready?data=true");
        assertEquals(200, degraded.statusCode(), degraded.body());
        assertTrue(degraded.body().contains("\"degraded\": true") || degraded.body().contains("\"degraded\":true"),
                degraded.body());
        assertTrue(degraded.body().contains("\"kafka\""), "Kafka is reported: " + degraded.body());

        // both tiers down: the cached answers are still served (stale), so the gateway stays ready
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).inject(Fault.status(503));
        HttpResponse<String> servingStale = gateway.management("/observe/health/ready?data=true");
        assertEquals(200, servingStale.statusCode(), servingStale.body());
        assertTrue(servingStale.body().replace(" ", "").contains("\"cache\":\"stale\""), servingStale.body());

        gateway.simulator().faults(Upstream.HYPERBEAM).clear();
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).clear();
        assertEquals(200, gateway.management("/observe/health/ready").statusCode());
        assertEquals(200, gateway.management("/observe/health/live").statusCode());
    }

    /**
     * The metric's value once it reaches {@code expected}, or as it stands after 5 s: a read is counted
     * when its exchange completes, which may be just after the client has its answer.
     */
    private static double settled(double expected, String metric, String... labels) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        double value = value(metric, labels);
        while (value < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
            value = value(metric, labels);
        }
        return value;
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
