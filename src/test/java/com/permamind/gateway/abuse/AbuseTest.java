package com.permamind.gateway.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.lua.RegistryState;
import com.permamind.gateway.query.RegistryRequest;
import com.permamind.gateway.support.GatewayHarness;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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

    private static final RegistryFixture FIXTURE = RegistryFixture.load();
    private static final RegistryModule MODULE = RegistryModule.load();
    private static final RegistryState STATE = MODULE.decode(FIXTURE.skillsJson());

    private static EmbeddedKafka kafka;
    private static GatewayHarness gateway;
    private static JsonNode honestAnswer;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        gateway = GatewayHarness.start(Map.of("kafka.bootstrap-servers", kafka.bootstrapServers()));
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
        return GatewayHarness.send(HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }
}
