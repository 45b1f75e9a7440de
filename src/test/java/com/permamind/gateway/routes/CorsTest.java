package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.support.GatewayHarness;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web app reads the API from its own origin: every answer carries CORS headers it can use. Only
 * the origins listed in {@code gateway.cors-origins} get them; by default none does.
 */
class CorsTest {

    private static final String ORIGIN = "https://app.permamind.example";
    private static final String OTHER_LISTED = "https://staging.permamind.example";
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of("gateway.cors-origins", OTHER_LISTED + ", " + ORIGIN));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void should_let_the_web_app_read_answers_and_their_headers_whoever_served_them() {
        HttpResponse<String> upstream = fromWebApp("/api/skills/cron");
        HttpResponse<String> cached = fromWebApp("/api/skills/cron");
        HttpResponse<String> problem = fromWebApp("/api/skills/search?limit=-1");
        HttpResponse<String> unknown = fromWebApp("/api/skills/no-such-skill");

        assertEquals("hyperbeam", upstream.headers().firstValue("X-Registry-Source").orElseThrow());
        assertEquals("cache", cached.headers().firstValue("X-Registry-Source").orElseThrow());
        assertEquals(400, problem.statusCode());
        assertEquals(404, unknown.statusCode());
        for (HttpResponse<String> answer : List.of(upstream, cached, problem, unknown)) {
            assertEquals(ORIGIN, answer.headers().firstValue("Access-Control-Allow-Origin").orElse(null),
                    answer.uri().toString());
            String exposed = answer.headers().firstValue("Access-Control-Expose-Headers").orElse("");
            for (String header : List.of("X-Registry-Source", "ETag", "Retry-After", "Age", "Server-Timing")) {
                assertTrue(exposed.contains(header), answer.uri() + " exposes " + exposed);
            }
        }
    }

    @Test
    void should_answer_a_preflight_for_conditional_reads() {
        HttpResponse<String> preflight = GatewayHarness.send(HttpRequest.newBuilder(gateway.uri("/api/skills/cron"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", ORIGIN)
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "If-None-Match").build());

        assertTrue(preflight.statusCode() / 100 == 2, "preflight answered " + preflight.statusCode());
        assertEquals(ORIGIN, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("If-None-Match"));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("GET"));
    }

    @Test
    void should_not_let_an_origin_the_list_does_not_hold_read_answers_cached_or_not() {
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> answer = from("https://evil.example", "/api/skills/dao");
            assertEquals(200, answer.statusCode());
            assertEquals(null, answer.headers().firstValue("Access-Control-Allow-Origin").orElse(null),
                    "answered by " + GatewayHarness.source(answer));
            assertTrue(answer.headers().allValues("Vary").contains("Origin"), answer.headers().toString());
        }
        HttpResponse<String> listed = from(OTHER_LISTED, "/api/skills/dao");
        assertEquals(OTHER_LISTED, listed.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    }

    @Test
    void should_allow_no_origin_unless_configured() throws IOException {
        Properties shipped = new Properties();
        try (InputStream in = CorsTest.class.getResourceAsStream("/application.properties")) {
            shipped.load(in);
        }
        assertEquals("{{env:GATEWAY_CORS_ORIGINS:}}", shipped.getProperty("gateway.cors-origins"));
        try (GatewayHarness closed = GatewayHarness.start(Map.of("gateway.cors-origins", ""))) {
            HttpResponse<String> answer = GatewayHarness.send(HttpRequest.newBuilder(closed.uri("/api/skills/dao"))
                    .header("Origin", ORIGIN).GET().build());
            assertEquals(200, answer.statusCode());
            assertEquals(null, answer.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        }
    }

    private static HttpResponse<String> fromWebApp(String path) {
        return from(ORIGIN, path);
    }

    private static HttpResponse<String> from(String origin, String path) {
        return GatewayHarness.send(HttpRequest.newBuilder(gateway.uri(path)).header("Origin", origin).GET().build());
    }
}
