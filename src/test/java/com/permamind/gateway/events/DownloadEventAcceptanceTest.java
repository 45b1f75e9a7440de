package com.permamind.gateway.events;

import static com.permamind.gateway.events.EventsTestSupport.deliveredEventIds;
import static com.permamind.gateway.events.EventsTestSupport.eventually;
import static com.permamind.gateway.events.EventsTestSupport.json;
import static com.permamind.gateway.events.EventsTestSupport.ownTopics;
import static com.permamind.gateway.events.EventsTestSupport.postDownload;
import static com.permamind.gateway.events.EventsTestSupport.readTopic;
import static com.permamind.gateway.events.EventsTestSupport.schemaViolations;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.simulator.RegistrySimulator;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * POST /api/skills/{name}/downloads over real HTTP, with a real broker: what it answers, and what
 * it puts on the topic. Each test posts as its own client (X-Forwarded-For, trusted here), so the
 * rate limit of one does not touch the others.
 */
class DownloadEventAcceptanceTest {

    private static final String SKILL = "bridge-cache";
    private static final int RATE_LIMIT = 5;

    private static EmbeddedKafka kafka;
    private static RegistrySimulator simulator;
    private static RunningGateway gateway;
    private static String topic;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        simulator = EventsTestSupport.startSimulator();
        Map<String, String> settings = new HashMap<>(ownTopics("acceptance"));
        settings.put("download-events.client-address-header", "X-Forwarded-For");
        settings.put("download-events.rate-limit.events-per-period", Integer.toString(RATE_LIMIT));
        settings.put("download-events.rate-limit.period-millis", "60000");
        topic = settings.get("download-events.topic");
        gateway = RunningGateway.start(simulator, kafka, settings);
    }

    @AfterAll
    static void stop() {
        EventsTestSupport.stopAll(gateway, simulator, kafka);
    }

    @Test
    void accepted_download_is_answered_202_only_with_an_event_on_the_topic_keyed_by_skill_in_the_documented_schema() {
        long before = System.currentTimeMillis();
        HttpResponse<String> answer = postDownload(gateway, SKILL, "{\"version\": \"0.2.0\"}",
                "X-Forwarded-For", "192.0.2.10", "User-Agent", "permamind-cli/1.4");

        assertEquals(202, answer.statusCode(), answer.body());
        assertEquals("application/json", answer.headers().firstValue("Content-Type").orElse(""));
        String eventId = json(answer.body()).path("eventId").asText();
        ConsumerRecord<String, byte[]> record = eventOnTopic(eventId);

        assertEquals(SKILL, record.key());
        assertEquals(List.of(), List.of(record.headers().toArray()), "no header may travel with the event");
        String value = new String(record.value(), StandardCharsets.UTF_8);
        JsonNode event = json(value);
        assertEquals(Map.of().keySet(), schemaViolations(event), value);
        assertEquals(1, event.path("schema").asInt());
        assertEquals(eventId, event.path("eventId").asText());
        assertEquals("skill.downloaded", event.path("type").asText());
        assertEquals(SKILL, event.path("skill").asText());
        assertEquals("0.2.0", event.path("version").asText());
        long occurredAt = event.path("occurredAt").asLong();
        assertTrue(occurredAt >= before && occurredAt <= System.currentTimeMillis(), value);
        assertEquals("permamind-cli/1.4", event.path("client").path("userAgent").asText());
        assertEquals(hashOf("192.0.2.10"), event.path("client").path("ipHash").asText());
        assertFalse(value.contains("192.0.2.10"), "the client's address must not be on the topic: " + value);
    }

    @Test
    void download_without_a_body_records_a_null_version() {
        HttpResponse<String> answer = postDownload(gateway, SKILL, null, "X-Forwarded-For", "192.0.2.11");

        assertEquals(202, answer.statusCode(), answer.body());
        JsonNode event = json(new String(eventOnTopic(json(answer.body()).path("eventId").asText()).value(),
                StandardCharsets.UTF_8));
        assertEquals(Map.of().keySet(), schemaViolations(event), event.toString());
        assertTrue(event.path("version").isNull(), event.toString());
    }

    @Test
    void forwarder_delivers_an_accepted_event_to_the_process_as_a_message_carrying_its_event_id() {
        HttpResponse<String> answer = postDownload(gateway, SKILL, "{\"version\":\"0.3.4\"}",
                "X-Forwarded-For", "192.0.2.12");
        String eventId = json(answer.body()).path("eventId").asText();

        assertTrue(eventually(() -> deliveredEventIds(simulator).contains(eventId), 20_000),
                "the simulated process never took " + eventId);
        var message = simulator.messages().stream().filter(taken -> eventId.equals(taken.data())).findFirst()
                .orElseThrow();
        assertEquals(SKILL, message.tag("Name"));
        assertEquals("0.3.4", message.tag("Version"));
    }

    @Test
    void malformed_json_body_is_a_400_problem() {
        assertProblem(400, postDownload(gateway, SKILL, "{\"version\": ", "X-Forwarded-For", "192.0.2.20"));
        assertProblem(400, postDownload(gateway, SKILL, "[\"1.2.0\"]", "X-Forwarded-For", "192.0.2.21"));
        assertProblem(400, postDownload(gateway, SKILL, "{\"version\": 1}", "X-Forwarded-For", "192.0.2.22"));
    }

    @Test
    void body_past_4_kb_is_a_413_problem_and_a_body_within_is_read_as_utf8() {
        // 2,100 characters in 4,200 bytes: the limit is in bytes, as the server reads them
        String padded = "{\"version\": \"0.3.4\", \"note\": \"" + "é".repeat(2100) + "\"}";
        JsonNode problem = assertProblem(413, postDownload(gateway, SKILL, padded, "X-Forwarded-For", "192.0.2.26"));
        assertTrue(problem.path("detail").asText().contains("4096 bytes"), problem.toString());

        HttpResponse<String> answer = postDownload(gateway, SKILL,
                "{\"note\": \"" + "é".repeat(1500) + "\", \"version\": \"0.3.4\"}", "X-Forwarded-For", "192.0.2.27");
        assertEquals(202, answer.statusCode(), answer.body());
        JsonNode event = json(new String(eventOnTopic(json(answer.body()).path("eventId").asText()).value(),
                StandardCharsets.UTF_8));
        assertEquals("0.3.4", event.path("version").asText(), event.toString());
    }

    @Test
    void version_the_module_refuses_is_a_400_problem_and_nothing_reaches_the_topic() {
        HttpResponse<String> answer = postDownload(gateway, SKILL, "{\"version\": \"1.2\"}",
                "X-Forwarded-For", "192.0.2.23");

        JsonNode problem = assertProblem(400, answer);
        assertTrue(problem.path("detail").asText().contains("version"), problem.toString());
    }

    @Test
    void name_the_module_refuses_is_a_400_problem() {
        assertProblem(400, postDownload(gateway, "x".repeat(129), null, "X-Forwarded-For", "192.0.2.24"));
        assertProblem(400, postDownload(gateway, "tab%09name", null, "X-Forwarded-For", "192.0.2.25"));
    }

    @Test
    void client_over_its_rate_limit_is_answered_429_with_retry_after_while_others_are_still_accepted() {
        for (int i = 0; i < RATE_LIMIT; i++) {
            assertEquals(202, postDownload(gateway, SKILL, null, "X-Forwarded-For", "198.51.100.7").statusCode());
        }

        HttpResponse<String> limited = postDownload(gateway, SKILL, null, "X-Forwarded-For", "198.51.100.7");

        assertProblem(429, limited);
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals(202, postDownload(gateway, SKILL, null, "X-Forwarded-For", "198.51.100.8").statusCode());
    }

    private static JsonNode assertProblem(int status, HttpResponse<String> answer) {
        assertEquals(status, answer.statusCode(), answer.body());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElse(""));
        JsonNode problem = json(answer.body());
        assertEquals(status, problem.path("status").asInt(), answer.body());
        assertTrue(problem.hasNonNull("type") && problem.hasNonNull("title") && problem.hasNonNull("detail"),
                answer.body());
        return problem;
    }

    private static ConsumerRecord<String, byte[]> eventOnTopic(String eventId) {
        List<ConsumerRecord<String, byte[]>> records = readTopic(kafka.bootstrapServers(), topic,
                read -> read.stream().anyMatch(r -> carries(r, eventId)), 20_000);
        return records.stream().filter(r -> carries(r, eventId)).findFirst()
                .orElseThrow(() -> new AssertionError("event " + eventId + " is not on " + topic));
    }

    private static boolean carries(ConsumerRecord<String, byte[]> record, String eventId) {
        return new String(record.value(), StandardCharsets.UTF_8).contains(eventId);
    }

    private static String hashOf(String address) {
        return new DownloadClients(EventsTestSupport.CLIENT_HASH_SECRET.getBytes(StandardCharsets.UTF_8), "", 1,
                java.time.Duration.ofMinutes(1)).hash(address);
    }
}
