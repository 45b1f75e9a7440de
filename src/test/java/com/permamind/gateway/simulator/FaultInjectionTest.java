package com.permamind.gateway.simulator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static com.permamind.gateway.simulator.SimulatorTestSupport.HTTP;
import static com.permamind.gateway.simulator.SimulatorTestSupport.fixtureConfig;
import static com.permamind.gateway.simulator.SimulatorTestSupport.get;
import static com.permamind.gateway.simulator.SimulatorTestSupport.isJson;
import static com.permamind.gateway.simulator.SimulatorTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each fault mode, seen by a client: the compute unit's dryrun and the node's state read. */
class FaultInjectionTest {

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
    void should_delay_answers_by_the_latency_plus_jitter() {
        simulator.faults(Upstream.COMPUTE_UNIT).inject(Fault.latency(300, 100));

        long started = System.nanoTime();
        HttpResponse<String> response = dryRun.send(INFO);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertEquals(200, response.statusCode());
        assertTrue(elapsedMillis >= 300, "answered after " + elapsedMillis + " ms");
    }

    @Test
    void should_hold_the_nodes_answer_until_its_latency_has_passed() {
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.latency(300, 0));

        long started = System.nanoTime();
        HttpResponse<String> response = get(stateUrl());
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertEquals(200, response.statusCode());
        assertTrue(isJson(response.body()), response.body());
        assertTrue(elapsedMillis >= 300, "answered after " + elapsedMillis + " ms");
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 402, 429})
    void should_answer_the_injected_status_with_a_text_body_from_hyperbeam(int status) {
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.status(status));

        HttpResponse<String> response = get(stateUrl());

        assertEquals(status, response.statusCode());
        assertFalse(isJson(response.body()), response.body());
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 402, 429, 403, 425, 202})
    void should_answer_the_injected_status_with_an_error_object_from_the_compute_unit(int status) {
        simulator.faults(Upstream.COMPUTE_UNIT).inject(Fault.status(status));

        HttpResponse<String> response = dryRun.send(INFO);

        assertEquals(status, response.statusCode());
        assertTrue(json(response).get("error").isTextual(), response.body());
        assertFalse(json(response).has("Messages"));
    }

    @Test
    void should_send_a_retry_after_header_with_429_and_503() {
        simulator.faults(Upstream.COMPUTE_UNIT).inject(Fault.status(429));

        assertTrue(dryRun.send(INFO).headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void should_answer_a_custom_error_body_with_200() {
        simulator.faults(Upstream.COMPUTE_UNIT).inject(Fault.status(200, "{\"error\":\"process is hydrating\"}"));

        HttpResponse<String> response = dryRun.send(INFO);

        assertEquals(200, response.statusCode());
        assertEquals("process is hydrating", json(response).get("error").asText());
    }

    @Test
    void should_answer_html_with_200_for_the_non_json_fault() {
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.nonJsonBody());

        HttpResponse<String> response = get(stateUrl());

        assertEquals(200, response.statusCode());
        assertFalse(isJson(response.body()));
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    }

    @Test
    void should_close_the_connection_before_the_announced_content_length() throws IOException {
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.truncatedBody());

        URI url = URI.create(stateUrl());
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + url.getRawPath() + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            BufferedReader headers = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
            long announced = -1;
            long received = 0;
            for (String line = headers.readLine(); line != null && !line.isEmpty(); line = headers.readLine()) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    announced = Long.parseLong(line.substring("content-length:".length()).trim());
                }
            }
            while (headers.read() != -1) {
                received++;
            }

            assertTrue(announced > 0, "a Content-Length is announced");
            assertTrue(received < announced, "received " + received + " of " + announced + " bytes, then EOF");
        }
    }

    @Test
    void should_send_a_huge_json_body_without_announcing_its_length() throws Exception {
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.hugeBody());

        HttpResponse<InputStream> response = SimulatorTestSupport.HTTP.send(HttpRequest.newBuilder(URI.create(stateUrl()))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        long received = 0;
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[1 << 16];
            for (int read = body.read(buffer); read >= 0; read = body.read(buffer)) {
                received += read;
            }
        }

        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Length").isEmpty(), response.headers().toString());
        assertTrue(received >= FaultResponder.HUGE_BODY_BYTES, "received " + received + " bytes");
    }

    @Test
    void should_fail_a_client_reading_a_truncated_body() {
        simulator.faults(Upstream.COMPUTE_UNIT).inject(Fault.truncatedBody());

        assertThrows(UncheckedIOException.class, () -> dryRun.send(INFO));
    }

    @Test
    void should_refuse_connections_then_rebind_the_same_port() {
        String urlBefore = simulator.cuUrl();
        simulator.faults(Upstream.COMPUTE_UNIT).inject(Fault.connectionRefused());

        UncheckedIOException refused = assertThrows(UncheckedIOException.class, () -> dryRun.send(INFO));
        if (!(refused.getCause() instanceof ConnectException)) {
            // the client reused a connection kept alive from an earlier test, and the refusal
            // dropped it without an answer: a new connection is the one refused
            refused = assertThrows(UncheckedIOException.class, () -> dryRun.send(INFO));
        }
        assertTrue(refused.getCause() instanceof ConnectException, String.valueOf(refused.getCause()));

        simulator.faults(Upstream.COMPUTE_UNIT).clear();

        assertEquals(urlBefore, simulator.cuUrl());
        assertEquals(200, dryRun.send(INFO).statusCode());
    }

    @Test
    void should_keep_the_other_upstream_listening_while_one_refuses() {
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.connectionRefused());

        assertEquals(200, dryRun.send(INFO).statusCode());
    }

    @Test
    void should_hang_until_the_client_gives_up() {
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.hang());

        HttpRequest request = HttpRequest.newBuilder(URI.create(stateUrl())).timeout(Duration.ofMillis(500)).build();

        assertThrows(HttpTimeoutException.class, () -> HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void should_fail_every_nth_request() {
        simulator.faults(Upstream.COMPUTE_UNIT).inject(Fault.status(503).everyNth(3));

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            statuses.add(dryRun.send(INFO).statusCode());
        }

        assertEquals(List.of(200, 200, 503, 200, 200, 503, 200, 200, 503), statuses);
    }

    @Test
    void should_fail_randomly_but_reproducibly_for_a_seed() {
        Random expectedDraws = new Random(42);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(expectedDraws.nextDouble() < 0.4 ? 502 : 200);
        }

        assertEquals(expected, statusesUnder(Fault.status(502).randomly(0.4, 42), 20));
        assertEquals(expected, statusesUnder(Fault.status(502).randomly(0.4, 42), 20), "re-injecting restarts the draws");
        assertTrue(expected.contains(502) && expected.contains(200), "the seed should give a mix: " + expected);
    }

    @Test
    void should_apply_latency_only_to_the_requests_a_rate_picks() {
        simulator.faults(Upstream.COMPUTE_UNIT).inject(Fault.status(500).withLatency(200, 0).everyNth(2));

        long started = System.nanoTime();
        assertEquals(200, dryRun.send(INFO).statusCode());
        long fastMillis = (System.nanoTime() - started) / 1_000_000;
        started = System.nanoTime();
        assertEquals(500, dryRun.send(INFO).statusCode());
        long slowMillis = (System.nanoTime() - started) / 1_000_000;

        assertTrue(slowMillis >= 200, "faulted request took " + slowMillis + " ms");
        assertTrue(fastMillis < 200, "spared request took " + fastMillis + " ms");
    }

    @Test
    void should_count_faulted_calls_too() {
        simulator.faults(Upstream.COMPUTE_UNIT).inject(Fault.status(500));

        dryRun.send(INFO);
        dryRun.send(INFO);

        assertEquals(2, simulator.calls(Upstream.COMPUTE_UNIT, "Info"));
    }

    @Test
    void should_leave_the_admin_endpoint_out_of_faults() {
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.status(500));

        HttpResponse<String> response = get(simulator.hyperbeamUrl() + "/__admin/calls");

        assertEquals(200, response.statusCode());
        assertTrue(json(response).has("calls"));
    }

    @Test
    void should_reject_connection_refused_with_a_rate() {
        assertThrows(IllegalArgumentException.class, () -> Fault.connectionRefused().everyNth(2));
    }

    private static List<Integer> statusesUnder(Fault fault, int requests) {
        simulator.faults(Upstream.COMPUTE_UNIT).inject(fault);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            statuses.add(dryRun.send(INFO).statusCode());
        }
        return statuses;
    }

    private static String stateUrl() {
        return simulator.hyperbeamUrl() + "/" + simulator.processId() + "~process@1.0/compute/skills";
    }
}
