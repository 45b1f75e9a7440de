package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static com.permamind.gateway.simulator.SimulatorTestSupport.fixtureConfig;
import static com.permamind.gateway.simulator.SimulatorTestSupport.get;
import static com.permamind.gateway.simulator.SimulatorTestSupport.json;
import static com.permamind.gateway.simulator.SimulatorTestSupport.post;
import static com.permamind.gateway.simulator.SimulatorTestSupport.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Switching faults and reading counters over HTTP, as a gateway test in another process would. */
class AdminEndpointTest {

    private static final Map<String, String> INFO = Map.of("Action", "Info");

    private static RegistrySimulator simulator;
    private static DryRunClient dryRun;

    @BeforeAll
    static void startSimulator() {
        simulator = new RegistrySimulator(fixtureConfig().build()).start();
        dryRun = new DryRunClient(simulator);
    }

    @AfterAll
    static void stopSimulator() {
        simulator.stop();
    }

    @AfterEach
    void clearFaults() {
        simulator.reset();
    }

    @Test
    void should_inject_a_fault_posted_to_the_admin_endpoint_and_clear_it_on_delete() {
        HttpResponse<String> injected = post(simulator.cuUrl() + "/__admin/faults",
                "{\"mode\":\"status\",\"status\":425,\"every\":2}");

        assertEquals(200, injected.statusCode());
        assertEquals("status", json(injected).at("/fault/mode").asText());
        assertEquals(425, json(injected).at("/fault/status").asInt());
        assertEquals(200, dryRun.send(INFO).statusCode());
        assertEquals(425, dryRun.send(INFO).statusCode());
        assertEquals(Fault.status(425).everyNth(2), simulator.faults(Upstream.COMPUTE_UNIT).current().orElseThrow());

        assertEquals(204, delete(simulator.cuUrl() + "/__admin/faults").statusCode());

        assertTrue(json(get(simulator.cuUrl() + "/__admin/faults")).get("fault").isNull());
        assertEquals(200, dryRun.send(INFO).statusCode());
    }

    @Test
    void should_read_back_a_random_rate_with_its_seed() {
        post(simulator.cuUrl() + "/__admin/faults",
                "{\"mode\":\"slow\",\"latencyMillis\":10,\"jitterMillis\":5,\"probability\":0.25,\"seed\":7}");

        JsonNode fault = json(get(simulator.cuUrl() + "/__admin/faults")).get("fault");

        assertEquals("slow", fault.get("mode").asText());
        assertEquals(10, fault.get("latencyMillis").asInt());
        assertEquals(5, fault.get("jitterMillis").asInt());
        assertEquals(0.25, fault.get("probability").asDouble());
        assertEquals(7, fault.get("seed").asInt());
    }

    @Test
    void should_restore_a_refused_upstream_through_the_other_upstreams_admin_endpoint() {
        post(simulator.hyperbeamUrl() + "/__admin/faults?upstream=cu", "{\"mode\":\"connection-refused\"}");

        assertThrows(UncheckedIOException.class, () -> dryRun.send(INFO));

        assertEquals(204, delete(simulator.hyperbeamUrl() + "/__admin/faults?upstream=cu").statusCode());
        assertEquals(200, dryRun.send(INFO).statusCode());
    }

    @Test
    void should_answer_before_refusing_connections_on_its_own_port() throws InterruptedException {
        HttpResponse<String> answer = post(simulator.cuUrl() + "/__admin/faults", "{\"mode\":\"connection-refused\"}");

        assertEquals(200, answer.statusCode());
        assertEquals("connection-refused", json(answer).at("/fault/mode").asText());
        assertTrue(waitUntilRefused(), "the compute unit should stop listening");

        delete(simulator.hyperbeamUrl() + "/__admin/faults?upstream=cu");
        assertEquals(200, dryRun.send(INFO).statusCode());
    }

    @Test
    void should_reject_an_unknown_fault_mode_with_400() {
        HttpResponse<String> response = post(simulator.cuUrl() + "/__admin/faults", "{\"mode\":\"explode\"}");

        assertEquals(400, response.statusCode());
        assertTrue(json(response).get("error").asText().contains("explode"));
    }

    @Test
    void should_reject_an_unknown_upstream_with_400() {
        assertEquals(400, get(simulator.cuUrl() + "/__admin/faults?upstream=gateway").statusCode());
    }

    @Test
    void should_serve_call_counters_and_requests_and_reset_them() {
        dryRun.send(INFO);
        dryRun.send(Map.of("Action", "Get-Skill", "Name", "cron"));
        dryRun.send(Map.of("Action", "Get-Skill", "Name", "dex"));

        JsonNode calls = json(get(simulator.cuUrl() + "/__admin/calls")).get("calls");
        JsonNode requests = json(get(simulator.cuUrl() + "/__admin/requests")).get("requests");

        assertEquals(1, calls.get("Info").asInt());
        assertEquals(2, calls.get("Get-Skill").asInt());
        assertEquals(3, requests.size());
        assertEquals("/dry-run", requests.get(0).get("path").asText());
        assertEquals(simulator.processId(), requests.get(0).at("/query/process-id/0").asText());

        assertEquals(204, delete(simulator.cuUrl() + "/__admin/calls").statusCode());

        assertEquals(0, json(get(simulator.cuUrl() + "/__admin/calls")).get("calls").size());
        assertEquals(0, simulator.calls(Upstream.COMPUTE_UNIT, "Get-Skill"));
    }

    @Test
    void should_not_count_admin_requests_as_calls() {
        get(simulator.hyperbeamUrl() + "/__admin/calls");
        get(simulator.hyperbeamUrl() + "/__admin/no-such-thing");

        assertTrue(simulator.requests(Upstream.HYPERBEAM).isEmpty());
    }

    /** The admin answer goes out before the port closes, so the refusal follows shortly after. */
    private static boolean waitUntilRefused() throws InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                dryRun.send(INFO);
            } catch (UncheckedIOException refused) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static HttpResponse<String> delete(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).DELETE().build());
    }
}
