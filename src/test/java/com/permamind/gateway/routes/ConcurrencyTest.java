package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow upstream reads do not queue behind each other, and waiting costs no platform thread: 2,000
 * reads wait on a slow node at once while the JVM (gateway, simulator and client together) runs
 * fewer than 100 threads more than before them (36 in all when the class runs alone).
 */
class ConcurrencyTest {

    private static final int CONCURRENT = 2_000;
    // long enough that all of a burst is at the node together even on a busy machine, where
    // delivering it (2,000 connections in, 2,000 out, the Lua module validating each) took 10-15 s
    private static final long HYPERBEAM_MILLIS = 30_000;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of("hyperbeam.timeout-millis", "60000",
                "gateway.upstream-reads-at-once", String.valueOf(CONCURRENT)));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void should_wait_on_a_slow_node_with_2000_reads_at_once_on_fewer_than_100_threads() throws Exception {
        String skill = new ObjectMapper().readTree(gateway.get("/api/skills?limit=1").body())
                .path("skills").path(0).path("name").asText();
        // the client's own work on virtual threads too: its default pool had 50 threads of the JVM's count
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(10)).build();
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.latency(HYPERBEAM_MILLIS, 0));
        gateway.simulator().resetCounters();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // the suite runs every test class in one JVM: count what the burst adds to the threads alive before it
        int before = threads.getThreadCount();
        threads.resetPeakThreadCount();

        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
            // all different keys, so none waits for another's call; versions no skill has, which
            // the node answers (404) with little work of its own
            HttpRequest request = HttpRequest.newBuilder(gateway.uri("/api/skills/" + skill + "?version=999.0." + i))
                    .timeout(Duration.ofSeconds(120)).GET().build();
            answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        answers.forEach(CompletableFuture::join);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            assertEquals(404, answer.join().statusCode(), answer.join().body());
            assertEquals("hyperbeam", answer.join().headers().firstValue("X-Registry-Source").orElse(null));
        }
        int overlapping = gateway.simulator().mostInFlight(Upstream.HYPERBEAM);
        int peakThreads = threads.getPeakThreadCount();
        System.out.printf("%d reads of %d ms: %d ms, %d at HyperBEAM at once, at most %d threads (%d before)%n",
                CONCURRENT, HYPERBEAM_MILLIS, elapsedMillis, overlapping, peakThreads, before);
        assertEquals(CONCURRENT, overlapping, "reads at HyperBEAM at once");
        // reads in turns of any fixed size would take a multiple of the node's latency
        assertTrue(elapsedMillis < 2 * HYPERBEAM_MILLIS, CONCURRENT + " reads of " + HYPERBEAM_MILLIS + " ms took "
                + elapsedMillis + " ms");
        assertTrue(peakThreads - before < 100, "the JVM ran " + peakThreads + " threads while " + CONCURRENT
                + " reads waited, " + before + " before");
    }
}
