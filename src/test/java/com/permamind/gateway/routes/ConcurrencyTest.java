package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Slow upstream reads do not queue behind each other: each holds a worker, and there are enough. */
class ConcurrencyTest {

    private static final int CONCURRENT = 200;
    // long enough that all of a burst is in flight together even on a busy machine
    private static final long HYPERBEAM_MILLIS = 1000;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of("hyperbeam.timeout-millis", "5000"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static List<CompletableFuture<HttpResponse<String>>> burst(HttpClient client, String query) {
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
            // all different, so nothing can be shared between them
            HttpRequest request = HttpRequest.newBuilder(gateway.uri("/api/skills/search?q=" + query + "&offset=" + i))
                    .timeout(Duration.ofSeconds(20)).GET().build();
            answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        answers.forEach(CompletableFuture::join);
        return answers;
    }

    @Test
    void should_serve_200_concurrent_slow_reads_without_queueing() {
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.latency(HYPERBEAM_MILLIS, 0));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();

        burst(client, "warm-up");
        gateway.simulator().resetCounters();
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> answers = burst(client, "q");
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            assertEquals(200, answer.join().statusCode());
            assertEquals("hyperbeam", answer.join().headers().firstValue("X-Registry-Source").orElse(null));
        }
        // behind a 20-thread pool at most 20 reads would reach HyperBEAM at once, in 10 rounds of 1 s
        int overlapping = gateway.simulator().mostInFlight(Upstream.HYPERBEAM);
        // (on an idle machine nearly all 200 are; a busy one delivers the burst more slowly)
        assertTrue(overlapping > 40, "only " + overlapping + " reads were at HyperBEAM at once");
        assertTrue(elapsedMillis < 9000, "200 reads of 1 s took " + elapsedMillis + " ms");
    }
}
