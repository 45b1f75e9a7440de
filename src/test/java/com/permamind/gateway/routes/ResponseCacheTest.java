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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The response cache, seen from outside: what reaches the upstreams, and what the client gets. */
class ResponseCacheTest {

    private static final long TTL_SECONDS = 2;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of(
                "cache.ttl-seconds", Long.toString(TTL_SECONDS),
                "cache.ttl-seconds.get-download-stats", Long.toString(TTL_SECONDS),
                "cache.refresh-ahead", "0.5"));
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
    void should_answer_a_repeated_read_from_memory_until_it_expires() throws Exception {
        HttpResponse<String> first = gateway.get("/api/skills/cron/versions");
        HttpResponse<String> second = gateway.get("/api/skills/cron/versions");

        assertEquals("hyperbeam", source(first));
        assertEquals("cache", source(second));
        assertEquals(first.body(), second.body());
        assertEquals(first.headers().firstValue("ETag"), second.headers().firstValue("ETag"));
        assertTrue(second.headers().firstValue("Age").isPresent());
        assertTrue(second.headers().firstValue("Cache-Control").orElse("").startsWith("public, max-age="));
        assertEquals(1, gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill-versions"));

        Thread.sleep(TTL_SECONDS * 1000 + 300);
        assertEquals("hyperbeam", source(gateway.get("/api/skills/cron/versions")));
        assertEquals(2, gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill-versions"));
    }

    @Test
    void should_make_one_upstream_call_for_200_concurrent_reads_of_a_cold_key() {
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.latency(500, 0));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // info keeps its default TTL of a minute here: a burst that outlasts the 2 s TTL of the
            // other queries would rightly refresh its key ahead, with a second call
            answers.add(client.sendAsync(HttpRequest.newBuilder(gateway.uri("/api/info"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<String> bodies = answers.stream().map(CompletableFuture::join)
                .peek(answer -> assertEquals(200, answer.statusCode())).map(HttpResponse::body).toList();

        assertEquals(1, gateway.simulator().calls(Upstream.HYPERBEAM, "info"));
        assertEquals(1, bodies.stream().distinct().count(), "200 identical answers");
    }

    @Test
    void should_answer_304_when_the_etag_still_matches() {
        HttpResponse<String> first = gateway.get("/api/skills/dao");
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> again = GatewayHarness.send(HttpRequest.newBuilder(gateway.uri("/api/skills/dao"))
                .header("If-None-Match", etag).build());
        HttpResponse<String> changed = GatewayHarness.send(HttpRequest.newBuilder(gateway.uri("/api/skills/dao"))
                .header("If-None-Match", "\"something-else\"").build());

        assertEquals(304, again.statusCode());
        assertEquals("", again.body());
        assertEquals(etag, again.headers().firstValue("ETag").orElse(null));
        assertEquals(200, changed.statusCode());
        assertEquals(first.body(), changed.body());
    }

    @Test
    void should_give_the_same_cache_hit_whether_the_route_or_the_front_answers_it() {
        // the front answers a URI the route prepared before; the same read under another URI
        // (parameters in another order) is answered by the route's own cache lookup
        HttpResponse<String> first = gateway.get("/api/skills/search?q=ao&limit=5");
        HttpResponse<String> byRoute = gateway.get("/api/skills/search?limit=5&q=ao");
        HttpResponse<String> byFront = gateway.get("/api/skills/search?q=ao&limit=5");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> notModifiedByRoute = GatewayHarness.send(HttpRequest.newBuilder(
                gateway.uri("/api/skills/search?limit=5&q=ao&")).header("If-None-Match", etag).build());
        HttpResponse<String> notModifiedByFront = GatewayHarness.send(HttpRequest.newBuilder(
                gateway.uri("/api/skills/search?q=ao&limit=5")).header("If-None-Match", etag).build());

        assertEquals("hyperbeam", source(first));
        assertEquals(1, gateway.simulator().calls(Upstream.HYPERBEAM, "search-skills"));
        assertEquals(first.body(), byRoute.body());
        assertEquals(first.body(), byFront.body());
        assertEquals(comparable(byRoute), comparable(byFront));
        assertEquals(304, notModifiedByRoute.statusCode());
        assertEquals(comparable(notModifiedByRoute), comparable(notModifiedByFront));
    }

    // status and headers, with the seconds of Age and max-age (which may tick between two answers) left out
    private static String comparable(HttpResponse<String> answer) {
        StringBuilder shape = new StringBuilder().append(answer.statusCode());
        answer.headers().map().forEach((name, values) -> shape.append('\n').append(name.toLowerCase()).append(": ")
                .append(String.join(",", values).replaceAll("[0-9]+$", "N")));
        return shape.toString();
    }

    @Test
    void should_refresh_a_hot_entry_in_the_background_before_it_expires() throws Exception {
        assertEquals("hyperbeam", source(gateway.get("/api/skills/react")));
        Thread.sleep(TTL_SECONDS * 1000 * 6 / 10);
        // past the refresh-ahead point: served from memory, and refreshed behind it
        assertEquals("cache", source(gateway.get("/api/skills/react")));
        awaitCalls("get-skill", 2);
        Thread.sleep(TTL_SECONDS * 1000 * 6 / 10);
        // past the first answer's expiry: the refreshed one is served, younger than the TTL
        HttpResponse<String> later = gateway.get("/api/skills/react");
        assertEquals("cache", source(later));
        assertTrue(Long.parseLong(later.headers().firstValue("Age").orElseThrow()) < TTL_SECONDS);
    }

    @Test
    void should_keep_refreshing_a_hot_entry_for_as_long_as_it_is_read() throws Exception {
        assertEquals("hyperbeam", source(gateway.get("/api/skills/bundler")));
        // read through four lifetimes of the entry: every answer comes from memory and is fresh,
        // because each refresh ahead is followed by the next one
        long until = System.nanoTime() + Duration.ofSeconds(TTL_SECONDS * 4).toNanos();
        while (System.nanoTime() < until) {
            HttpResponse<String> answer = gateway.get("/api/skills/bundler");
            assertEquals("cache", source(answer));
            assertTrue(Long.parseLong(answer.headers().firstValue("Age").orElseThrow()) < TTL_SECONDS,
                    answer.headers().map().toString());
            Thread.sleep(TTL_SECONDS * 1000 / 5);
        }
        assertTrue(gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill") >= 4,
                "one refresh per half-life: " + gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill"));
    }

    @Test
    void should_remember_an_unknown_skill_briefly() {
        assertEquals(404, gateway.get("/api/skills/nobody-has-this").statusCode());
        HttpResponse<String> again = gateway.get("/api/skills/nobody-has-this");
        assertEquals(404, again.statusCode());
        assertEquals("cache", source(again));
        assertEquals(1, gateway.simulator().calls(Upstream.HYPERBEAM, "get-skill"));
    }

    @Test
    void should_expose_cache_statistics_as_metrics() {
        gateway.get("/api/skills/vote");
        gateway.get("/api/skills/vote");
        String metrics = gateway.management("/observe/metrics").body();
        double hits = metrics.lines().filter(line -> line.startsWith("cache_gets_total{")
                        && line.contains("cache=\"registry-responses\"") && line.contains("result=\"hit\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        assertTrue(hits >= 1, "cache hits: " + hits);
        assertTrue(metrics.lines().anyMatch(line -> line.startsWith("cache_size{") && line.contains("registry-responses")));
        assertTrue(metrics.lines().anyMatch(line -> line.startsWith("cache_evictions_total{")));
    }

    private static void awaitCalls(String function, long expected) throws InterruptedException {
        for (int i = 0; i < 50 && gateway.simulator().calls(Upstream.HYPERBEAM, function) < expected; i++) {
            Thread.sleep(50);
        }
        assertEquals(expected, gateway.simulator().calls(Upstream.HYPERBEAM, function));
    }

    private static String source(HttpResponse<String> answer) {
        return answer.headers().firstValue("X-Registry-Source").orElse("none (" + answer.statusCode() + ")");
    }
}
