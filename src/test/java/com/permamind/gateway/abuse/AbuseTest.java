package com.permamind.gateway.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.lua.RegistryState;
import com.permamind.gateway.query.RegistryRequest;
import com.permamind.gateway.support.GatewayHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attacks on the gateway, one by one, as a client would make them over HTTP: the request, the
 * answer it gets, and that the next honest request still gets its own answer. The honest request
 * throughout is {@code GET /api/skills/search?q=claude}, whose body is checked against the Lua
 * module's own answer over the fixture.
 *
 * <p>The {@code %00} family: a value that spells the separator of the old cache key and another
 * parameter ({@code offset=0%00q%3Dclaude}) made the key of the honest request; the module refused
 * it, the refusal was remembered, and from then on the honest request was refused too. Each attack
 * here is sent before the request it aimed at, so nothing cached hides a poisoned verdict.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AbuseTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HONEST = "/api/skills/search?q=claude";
    private static final long READ_TIMEOUT_SECONDS = 2;
    private static final long IDLE_TIMEOUT_SECONDS = 4;
    private static final int MAX_CONNECTIONS = 16;
    private static final int TEN_MB = 10 << 20;
    private static final int DOWNLOADS_PER_CLIENT = 10;

    private static final RegistryFixture FIXTURE = RegistryFixture.load();
    private static final RegistryModule MODULE = RegistryModule.load();
    private static final RegistryState STATE = MODULE.decode(FIXTURE.skillsJson());

    private static EmbeddedKafka kafka;
    private static GatewayHarness gateway;
    private static JsonNode honestAnswer;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        gateway = GatewayHarness.start(Map.of("kafka.bootstrap-servers", kafka.bootstrapServers(),
                "gateway.request-read-timeout-seconds", Long.toString(READ_TIMEOUT_SECONDS),
                "gateway.idle-timeout-seconds", Long.toString(IDLE_TIMEOUT_SECONDS),
                "gateway.max-connections", Integer.toString(MAX_CONNECTIONS),
                "download-events.client-address-header", "X-Forwarded-For",
                "download-events.rate-limit.events-per-period", Integer.toString(DOWNLOADS_PER_CLIENT)));
        honestAnswer = moduleAnswer("search-skills", "q=claude;limit=20;offset=0");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        kafka.stop();
    }

    /**
     * A read whose value spells the old key's separator and another parameter gets its own answer
     * (400, or 200 for a text that may hold any character), and the read it spells gets the Lua
     * module's answer for its own parameters, not the attack's.
     */
    @Order(1)
    @ParameterizedTest(name = "{0} then {2}")
    @CsvSource(delimiter = ' ', value = {
        // search: offset swallows q (the attack of the issue), limit swallows offset and q
        "/api/skills/search?offset=0%00q%3Dclaude 400 /api/skills/search?q=claude search-skills q=claude;limit=20;offset=0",
        "/api/skills/search?limit=20%00offset%3D0%00q%3Dclaude 400 /api/skills/search?q=claude&limit=20 search-skills q=claude;limit=20;offset=0",
        "/api/skills/search?q=claude%00x 200 /api/skills/search?q=claude&offset=0 search-skills q=claude;limit=20;offset=0",
        // list (author, limit, name, offset, tags): a filter swallows the ones after it
        "/api/skills?author=permaweb-dev%00name%3Dcron 200 /api/skills?author=permaweb-dev&name=cron list-skills author=permaweb-dev;name=cron;limit=20;offset=0",
        "/api/skills?name=cron%00tags%3Ddefi 200 /api/skills?name=cron&tags=defi list-skills name=cron;tags=defi;limit=20;offset=0",
        "/api/skills?limit=20%00name%3Dcron%00offset%3D0 400 /api/skills?name=cron list-skills name=cron;limit=20;offset=0",
        "/api/skills?offset=0%00tags%3Ddata 400 /api/skills?tags=data list-skills tags=data;limit=20;offset=0",
        // one skill: the name swallows the version
        "/api/skills/cron%00version%3D1.1.4 400 /api/skills/cron?version=1.1.4 get-skill name=cron;version=1.1.4",
        "/api/skills/bundler?version=1.0.5%00x 400 /api/skills/bundler?version=1.0.5 get-skill name=bundler;version=1.0.5",
        "/api/skills/dao%00x/versions 400 /api/skills/dao/versions get-skill-versions name=dao",
        // download statistics: the time range swallows the version
        "/api/skills/cron/downloads?timeRange=all%00version%3D1.2.1 400 /api/skills/cron/downloads?version=1.2.1 get-download-stats name=cron;version=1.2.1;timerange=all;now=NOW",
        "/api/stats/downloads?timeRange=7%00x 400 /api/stats/downloads?timeRange=7 get-download-stats scope=all;timerange=7;now=NOW",
    })
    void nul_byte_in_a_read_does_not_poison_the_read_it_spells(String attack, int attackStatus, String aimedAt,
            String function, String params) {
        assertEquals(attackStatus, gateway.get(attack).statusCode(), attack);

        HttpResponse<String> answer = gateway.get(aimedAt);
        assertEquals(200, answer.statusCode(), aimedAt + " answered " + answer.body());
        assertEquals(moduleAnswer(function, params), parse(answer.body()), aimedAt + " answered the attack's body");
        assertHonestRequestUnaffected();
    }

    /**
     * Headers spelling Camel's own (the request URI, the raw query) do not reach the route: the
     * cache front's index, keyed by the URI as sent, cannot be pointed at another read's answer.
     */
    @Order(2)
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "CamelHttpUri|/api/skills/search?q=claude",
        "CamelHttpRawQuery|q=claude",
        "CamelHttpQuery|q=claude",
        "CamelHttpPath|/api/skills/search",
    })
    void camel_headers_cannot_point_the_cache_front_at_another_read(String header, String value) {
        HttpResponse<String> attack = GatewayHarness.send(HttpRequest.newBuilder(gateway.uri("/api/skills/search?q=dex"))
                .timeout(Duration.ofSeconds(30)).header(header, value).GET().build());
        assertEquals(moduleAnswer("search-skills", "q=dex;limit=20;offset=0"), parse(attack.body()));

        HttpResponse<String> reversed = GatewayHarness.send(HttpRequest.newBuilder(gateway.uri("/api/skills/search?q=claude"))
                .timeout(Duration.ofSeconds(30)).header(header, value.replace("claude", "dex")).GET().build());
        assertEquals(honestAnswer, parse(reversed.body()), header + " changed the read");
        assertHonestRequestUnaffected();
    }

    /** A download whose skill name spells a version is refused; the download of that version is accepted. */
    @Order(2)
    @Test
    void nul_byte_in_a_download_does_not_poison_the_download_it_spells() {
        HttpResponse<String> attack = post("/api/skills/cron%00version%3D1.1.4/downloads", "{}");
        assertEquals(400, attack.statusCode(), attack.body());

        HttpResponse<String> download = post("/api/skills/cron/downloads", "{\"version\":\"1.1.4\"}");
        assertEquals(202, download.statusCode(), download.body());
        assertHonestRequestUnaffected();
    }

    /** A body announced past its route's limit is answered 413 at once: nothing reads it. */
    @Order(3)
    @ParameterizedTest(name = "{0} {1} with a 10 MB body")
    @CsvSource(delimiter = ' ', value = {
        "GET /api/skills/search?q=claude",
        "GET /api/skills/cron",
        "GET /api/info",
        "POST /api/skills/cron/downloads",
        "POST /api/skills/search",
        "OPTIONS /api/skills/search",
    })
    void ten_megabyte_body_is_refused_413_before_it_is_read(String method, String path) throws IOException {
        try (RawHttpConnection connection = RawHttpConnection.open(gateway)) {
            connection.send(method + " " + path + " HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + TEN_MB + "\r\n\r\n");
            connection.sendIgnoringReset(new byte[64 << 10]);
            String answer = connection.readAnswer();
            assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            assertTrue(answer.contains("application/problem+json") && answer.contains("\"status\":413"), answer);
            assertTrue(connection.closedWithin(Duration.ofSeconds(1)), "the connection stayed open for the rest of the body");
        }
        assertHonestRequestUnaffected();
    }

    /** A chunked body is cut off at the limit: 413 once a download's body passes 4 KB, at once for a read. */
    @Order(4)
    @ParameterizedTest(name = "{0} {1}, chunked")
    @CsvSource(delimiter = ' ', value = {"POST /api/skills/cron/downloads", "GET /api/skills/search?q=claude"})
    void chunked_body_past_the_limit_is_refused_413(String method, String path) throws IOException {
        try (RawHttpConnection connection = RawHttpConnection.open(gateway)) {
            connection.send(method + " " + path + " HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 8; i++) {
                connection.sendIgnoringReset(("400\r\n" + " ".repeat(1024) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            String answer = connection.readAnswer();
            assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            assertTrue(answer.contains("application/problem+json"), answer);
        }
        assertHonestRequestUnaffected();
    }

    /** A download event's body within 4 KB is still taken; past it the answer is 413, not a 400 after reading it. */
    @Order(5)
    @Test
    void download_body_of_4_kb_is_taken_and_one_byte_more_is_refused() {
        String padding = " ".repeat(4096 - "{\"version\":\"1.1.4\"}".length());
        HttpResponse<String> within = post("/api/skills/cron/downloads", "{\"version\":\"1.1.4\"}" + padding);
        assertEquals(202, within.statusCode(), within.body());

        HttpResponse<String> over = post("/api/skills/cron/downloads", "{\"version\":\"1.1.4\"}" + padding + " ");
        assertEquals(413, over.statusCode(), over.body());
        assertEquals("application/problem+json", over.headers().firstValue("Content-Type").orElse(""));
        assertHonestRequestUnaffected();
    }

    /** A download event that is not JSON is refused 415, as before. */
    @Order(6)
    @Test
    void download_that_is_not_json_is_refused_415() {
        HttpResponse<String> answer = GatewayHarness.send(HttpRequest.newBuilder(gateway.uri("/api/skills/cron/downloads"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("version=1.1.4")).build());
        assertEquals(415, answer.statusCode(), answer.body());
        assertHonestRequestUnaffected();
    }

    /** A client trickling its request a byte at a time is cut off after the read timeout, though never idle. */
    @Order(7)
    @Test
    void slow_client_is_cut_off_after_the_request_read_timeout() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(gateway)) {
            connection.send("GET /api/skills/search?q=claude HTTP/1.1\r\nHost: gateway\r\n");
            long start = System.nanoTime();
            boolean closed = false;
            // a byte every 250 ms for up to twice the idle timeout: never idle, never done
            for (int i = 0; i < IDLE_TIMEOUT_SECONDS * 8 && !closed; i++) {
                Thread.sleep(250);
                closed = !connection.sendIgnoringReset(new byte[] {'X'}) || connection.closedWithin(Duration.ZERO);
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(closed, "a trickling client held its connection for " + seconds + " s");
            assertTrue(seconds < IDLE_TIMEOUT_SECONDS, "cut off after " + seconds + " s, not by the read timeout");
        }
        assertHonestRequestUnaffected();
    }

    /** A connection that sends nothing is closed: its first request is due within the read timeout. */
    @Order(8)
    @Test
    void silent_connection_is_closed() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(gateway)) {
            assertTrue(connection.closedWithin(Duration.ofSeconds(IDLE_TIMEOUT_SECONDS + 2)),
                    "a connection that never sent a byte stayed open");
        }
        assertHonestRequestUnaffected();
    }

    /** Connections past the cap are closed as they are accepted; once they are gone, clients are served again. */
    @Order(9)
    @Test
    void connections_past_the_cap_are_closed_at_once() throws Exception {
        List<RawHttpConnection> connections = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS + 8; i++) {
                connections.add(RawHttpConnection.open(gateway));
            }
            long closedAtOnce = 0;
            for (RawHttpConnection connection : connections) {
                if (connection.closedWithin(Duration.ofMillis(100))) {
                    closedAtOnce++;
                }
            }
            assertTrue(closedAtOnce >= 8, closedAtOnce + " of " + connections.size() + " connections were closed at once");
        } finally {
            connections.forEach(RawHttpConnection::close);
        }
        assertHonestRequestUnaffected();
    }

    /** Every address of one IPv6 /64 is one client: new addresses of the same /64 do not get new budgets. */
    @Order(10)
    @Test
    void ipv6_client_cannot_forge_downloads_from_more_addresses_of_its_64() {
        for (int i = 1; i <= DOWNLOADS_PER_CLIENT; i++) {
            HttpResponse<String> accepted = post("/api/skills/cron/downloads", "{}", "2001:db8:1:2::" + Integer.toHexString(i));
            assertEquals(202, accepted.statusCode(), accepted.body());
        }
        HttpResponse<String> forged = post("/api/skills/cron/downloads", "{}", "2001:db8:1:2:ffff:ffff:ffff:ffff");
        assertEquals(429, forged.statusCode(), forged.body());

        HttpResponse<String> neighbour = post("/api/skills/cron/downloads", "{}", "2001:db8:1:3::1");
        assertEquals(202, neighbour.statusCode(), "another /64 is another client: " + neighbour.body());
        assertHonestRequestUnaffected();
    }

    static void assertHonestRequestUnaffected() {
        HttpResponse<String> answer = gateway.get(HONEST);
        assertEquals(200, answer.statusCode(), HONEST + " answered " + answer.body());
        assertEquals(honestAnswer, parse(answer.body()), HONEST + " answered another body");
    }

    /** What the Lua module answers over the fixture for these parameters ({@code name=value;...}). */
    static JsonNode moduleAnswer(String function, String params) {
        Map<String, String> request = new LinkedHashMap<>();
        for (String param : params.split(";")) {
            String[] pair = param.split("=", 2);
            request.put(pair[0], pair[1].equals("NOW") ? Long.toString(RegistryRequest.minuteOf(FIXTURE.now())) : pair[1]);
        }
        JsonNode answer = parse(MODULE.call(function, STATE, request));
        assertEquals(true, answer.path("ok").asBoolean(), () -> function + " " + params + " answered " + answer);
        return answer.get("data");
    }

    static HttpResponse<String> post(String path, String body) {
        return post(path, body, "127.0.0.1");
    }

    /** A POST as a trusted proxy forwards it for {@code client}. */
    static HttpResponse<String> post(String path, String body, String client) {
        return GatewayHarness.send(HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("X-Forwarded-For", client)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }
}
