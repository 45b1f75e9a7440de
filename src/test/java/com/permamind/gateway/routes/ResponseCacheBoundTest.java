package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The response cache holds at most cache.max-megabytes of answers, however many distinct pages
 * clients ask for: large list pages past the bound push older answers out instead of growing the heap.
 */
class ResponseCacheBoundTest {

    private static final long BOUND_BYTES = 1L << 20;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of("cache.max-megabytes", "1", "cache.ttl-seconds", "600"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void should_keep_cached_answers_within_their_byte_bound() throws Exception {
        long bodyBytes = 0;
        int pages = 0;
        for (int limit = 100; bodyBytes < 3 * BOUND_BYTES; limit--) {
            for (int offset = 0; offset < 4; offset++) {
                HttpResponse<String> page = gateway.get("/api/skills?limit=" + limit + "&offset=" + offset);
                assertEquals(200, page.statusCode(), page.body());
                bodyBytes += page.body().length();
                pages++;
            }
        }

        double cachedBytes = awaitSettled("registry_response_cache_bytes");
        double cachedAnswers = metric("cache_size");
        assertTrue(cachedBytes > BOUND_BYTES / 2 && cachedBytes <= BOUND_BYTES,
                "cached " + cachedBytes + " bytes of " + bodyBytes + " asked, bound " + BOUND_BYTES);
        assertTrue(cachedAnswers < pages, cachedAnswers + " answers kept of " + pages);
        assertTrue(metric("cache_evictions_total") > 0);
    }

    // Caffeine applies its bound in maintenance after the writes, not inside them
    private static double awaitSettled(String name) throws InterruptedException {
        double value = metric(name);
        for (int i = 0; i < 50 && value > BOUND_BYTES; i++) {
            Thread.sleep(100);
            value = metric(name);
        }
        return value;
    }

    private static double metric(String name) {
        return gateway.management("/observe/metrics").body().lines()
                .filter(line -> line.startsWith(name + "{") && line.contains("registry-responses") || line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name));
    }
}
