package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.BoundedVirtualThreads;
import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads that go upstream take turns, bounded; cache hits never wait for one. With 2 reads under
 * way at once and room for 2 more in the queue, all taken by slow reads: a cached read is still
 * answered at once, and a fifth uncached read is refused with a 503 rather than queued without end.
 * A read whose client left while it waited in the queue is dropped, not sent upstream.
 */
class UpstreamPoolTest {

    private static final long HYPERBEAM_MILLIS = 4000;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        // HyperBEAM's timeout well past its latency: the slow reads hold their turns for the whole test
        gateway = GatewayHarness.start(Map.of("gateway.upstream-reads-at-once", "2", "gateway.upstream-queue", "2",
                "hyperbeam.timeout-millis", "10000"));
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
    void should_answer_cache_hits_and_refuse_overflow_while_every_upstream_read_waits() throws Exception {
        assertEquals("hyperbeam", gateway.get("/api/info").headers().firstValue("X-Registry-Source").orElseThrow());
        // its read may still be finishing the exchange after the answer went out
        awaitNoUpstreamRead();
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.latency(HYPERBEAM_MILLIS, 0));
        gateway.simulator().resetCounters();
        List<CompletableFuture<HttpResponse<String>>> slow = searchesAtOnce("slow", 4);
        awaitInFlightAtHyperbeam(2);
        awaitWaitingForTurn(2);

        long start = System.nanoTime();
        HttpResponse<String> cached = gateway.get("/api/info");
        long cachedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, cached.statusCode());
        assertEquals("cache", cached.headers().firstValue("X-Registry-Source").orElseThrow());
        assertTrue(cachedMillis < 1000, "a cache hit waited " + cachedMillis + " ms behind slow reads");

        HttpResponse<String> overflow = gateway.get("/api/skills/search?q=overflow");
        assertEquals(503, overflow.statusCode(), overflow.body());
        assertTrue(overflow.headers().firstValue("Retry-After").isPresent());
        assertTrue(overflow.body().contains("capacity"), overflow.body());

        for (CompletableFuture<HttpResponse<String>> read : slow) {
            assertEquals(200, read.join().statusCode());
        }
        assertEquals(2, gateway.simulator().mostInFlight(Upstream.HYPERBEAM));
        assertEquals(0, gateway.simulator().calls(Upstream.HYPERBEAM, "search-skills") - 4);
    }

    @Test
    void should_not_read_for_clients_that_left_while_their_read_waited() throws Exception {
        awaitNoUpstreamRead();
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.latency(HYPERBEAM_MILLIS, 0));
        gateway.simulator().resetCounters();
        List<CompletableFuture<HttpResponse<String>>> slow = searchesAtOnce("busy", 2);
        awaitInFlightAtHyperbeam(2);
        try (Socket first = requestOverSocket("/api/skills/search?q=gone&offset=0");
                Socket second = requestOverSocket("/api/skills/search?q=gone&offset=1")) {
            awaitWaitingForTurn(2);
        }

        for (CompletableFuture<HttpResponse<String>> read : slow) {
            assertEquals(200, read.join().statusCode());
        }
        awaitNoUpstreamRead();
        assertEquals(2, gateway.simulator().calls(Upstream.HYPERBEAM, "search-skills"),
                "reads of clients that had left reached HyperBEAM");
    }

    // distinct keys (one page each), so no read waits for another's upstream call
    private static List<CompletableFuture<HttpResponse<String>>> searchesAtOnce(String query, int pages) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> reads = new ArrayList<>();
        for (int page = 0; page < pages; page++) {
            reads.add(client.sendAsync(HttpRequest.newBuilder(gateway.uri("/api/skills/search?q=" + query + "&offset=" + page))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString()));
        }
        return reads;
    }

    private static Socket requestOverSocket(String pathAndQuery) throws IOException {
        Socket socket = new Socket(gateway.uri("/").getHost(), gateway.uri("/").getPort());
        socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: gateway\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private static void awaitNoUpstreamRead() throws InterruptedException {
        BoundedVirtualThreads reads = upstreamReads();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((reads.underWay() > 0 || reads.waiting() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, reads.underWay() + reads.waiting());
    }

    private static BoundedVirtualThreads upstreamReads() {
        return gateway.context().getRegistry().lookupByNameAndType("upstreamReads", BoundedVirtualThreads.class);
    }

    private static void awaitWaitingForTurn(int reads) throws InterruptedException {
        BoundedVirtualThreads upstream = upstreamReads();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (upstream.waiting() < reads && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(reads, upstream.waiting());
    }

    private static void awaitInFlightAtHyperbeam(int reads) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (gateway.simulator().mostInFlight(Upstream.HYPERBEAM) < reads && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(reads, gateway.simulator().mostInFlight(Upstream.HYPERBEAM));
    }
}
