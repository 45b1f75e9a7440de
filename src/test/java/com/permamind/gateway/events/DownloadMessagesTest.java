package com.permamind.gateway.events;

import static com.permamind.gateway.events.EventsTestSupport.deliveredEventIds;
import static com.permamind.gateway.events.EventsTestSupport.dryrunDownloadCount;
import static com.permamind.gateway.events.EventsTestSupport.eventually;
import static com.permamind.gateway.events.EventsTestSupport.eventIdOf;
import static com.permamind.gateway.events.EventsTestSupport.sleep;
import static com.permamind.gateway.events.EventsTestSupport.header;
import static com.permamind.gateway.events.EventsTestSupport.json;
import static com.permamind.gateway.events.EventsTestSupport.postDownload;
import static com.permamind.gateway.events.EventsTestSupport.readTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.permamind.gateway.ans104.Arbundles;
import com.permamind.gateway.ans104.Base64Url;
import com.permamind.gateway.ans104.DataItem;
import com.permamind.gateway.ans104.TestWallets;
import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.ReceivedMessage;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.LogCapture;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 26: each download event becomes one signed Record-Download message at the registry process,
 * by either transport; the same event is the same message; no wallet, a bad wallet and every kind
 * of upstream answer end as documented (docs/download-events.md), and no accepted event is lost.
 */
class DownloadMessagesTest extends ForwarderTests {

    private static final String SKILL = "bundler";
    private static final String VERSION = "1.0.5";
    private static final String BODY = "{\"version\":\"" + VERSION + "\"}";

    @TempDir
    Path dir;

    @BeforeEach
    void shortBreakerWaits() {
        settings.put("download-events.forwarder.maximum-pause-millis", "1000");
        settings.put("download-events.forwarder.breaker.wait-millis-in-open-state", "1000");
    }

    @Test
    void an_event_becomes_one_signed_message_pushed_to_a_hyperbeam_node_and_dryrun_counts_it_once() throws Exception {
        gateway = RunningGateway.start(simulator, kafka, settings);

        ReceivedMessage message = postAndAwaitOneMessage();

        assertEquals("hyperbeam", message.via());
        assertEquals(Map.of("Action", "Record-Download", "Name", SKILL, "Version", VERSION, "Data-Protocol", "ao",
                "Type", "Message", "Variant", "ao.N.1", "signing-format", "ans104", "accept-bundle", "true",
                "require-codec", "application/json"), message.tags());
        verifiedByArbundles(message);
    }

    @Test
    void an_event_becomes_one_signed_message_to_the_messenger_unit_and_dryrun_counts_it_once() throws Exception {
        settings.put("download-events.forwarder.transport", "mu");
        gateway = RunningGateway.start(simulator, kafka, settings);

        ReceivedMessage message = postAndAwaitOneMessage();

        assertEquals("mu", message.via());
        assertEquals(Map.of("Action", "Record-Download", "Name", SKILL, "Version", VERSION, "Data-Protocol", "ao",
                "Variant", "ao.TN.1", "Type", "Message", "SDK", "permamind-registry-gateway",
                "Content-Type", "text/plain"), message.tags());
        assertEquals(0, simulator.calls(Upstream.HYPERBEAM).getOrDefault("push", 0L), "nothing pushed to the node");
        verifiedByArbundles(message);
    }

    @Test
    void an_accepted_event_delivered_again_after_a_crash_is_the_same_message_and_counts_once() throws Exception {
        gateway = RunningGateway.start(simulator, kafka, settings);
        ReceivedMessage first = postAndAwaitOneMessage();
        int counted = dryrunDownloadCount(simulator, SKILL, VERSION);
        gateway.close();
        // the crash: the gateway sent the message, then died before its commit reached the broker
        rewindForwarderToTheStart();

        gateway = RunningGateway.start(simulator, kafka, settings);

        assertTrue(eventually(() -> simulator.calls(Upstream.HYPERBEAM).getOrDefault("push", 0L) == 2, 30_000),
                "the message never went out a second time");
        MeterRegistry meters = gateway.context().getRegistry().findSingleByType(MeterRegistry.class);
        assertTrue(eventually(() -> meters.get("registry.download.messages.taken.before").counter().count() == 1,
                10_000), "the upstream's answer to the repeat (409) was not taken as done");
        assertEquals(List.of(first), simulator.messages(), "the process took it once");
        assertEquals(counted, dryrunDownloadCount(simulator, SKILL, VERSION), "and counted it once");
        assertEquals(List.of(), readTopic(kafka.bootstrapServers(), settings.get("download-events.dlq-topic"),
                read -> false, 1_000), "and it is not parked: it was delivered");
    }

    @Test
    void without_a_wallet_the_forwarder_does_not_start_says_why_and_the_events_wait_on_the_topic_for_one() {
        settings.put("download-events.wallet-file", "");
        String eventId;
        try (LogCapture log = LogCapture.of(DownloadEventsConfiguration.class.getName(), Level.ERROR)) {
            gateway = RunningGateway.start(simulator, kafka, settings);
            eventId = eventIdOf(postDownload(gateway, SKILL, BODY));
            assertTrue(log.lines().stream().anyMatch(line -> line.contains("Download forwarder not started")
                    && line.contains("download-events.wallet-file is not set")), log.lines().toString());
        }
        assertEquals(ServiceStatus.Stopped, gateway.context().getRouteController().getRouteStatus("download-forwarder"));
        Map<String, Object> details = forwarderHealth();
        assertEquals("stopped", details.get("forwarder"));
        assertTrue(details.get("forwarder.problem").toString().contains("download-events.wallet-file is not set"),
                details.toString());
        sleep(2_000);
        assertEquals(List.of(), deliveredEventIds(simulator));
        gateway.close();

        // as the embedded default (DevLauncher) runs: a throwaway wallet, made at start
        settings.put("download-events.wallet-throwaway", "true");
        try (LogCapture log = LogCapture.of(DownloadEventsConfiguration.class.getName(), Level.WARN)) {
            gateway = RunningGateway.start(simulator, kafka, settings);
            assertTrue(log.lines().stream().anyMatch(line -> line.contains("throwaway wallet")), log.lines().toString());
        }

        assertTrue(eventually(() -> deliveredEventIds(simulator).contains(eventId), 30_000),
                "the event waited on the topic for a wallet");
        Object signer = forwarderHealth().get("forwarder.signer");
        assertEquals(List.of(signer), simulator.messages().stream().map(ReceivedMessage::ownerAddress).toList());
        assertEquals(List.of(), readTopic(kafka.bootstrapServers(), settings.get("download-events.dlq-topic"),
                read -> false, 1_000), "nothing parked");
    }

    @Test
    void a_bad_wallet_file_is_named_without_key_material_and_the_events_wait_on_the_topic() throws Exception {
        Map<String, String> jwk = new LinkedHashMap<>(TestWallets.jwk());
        String modulus = jwk.get("n");
        String privateExponent = jwk.remove("d");
        Path wallet = TestWallets.writeJwk(dir.resolve("wallet.json"), jwk);
        settings.put("download-events.wallet-file", wallet.toString());
        try (LogCapture log = LogCapture.of(DownloadEventsConfiguration.class.getName(), Level.ERROR)) {
            gateway = RunningGateway.start(simulator, kafka, settings);
            eventIdOf(postDownload(gateway, SKILL, BODY));
            String said = String.join("\n", log.lines()) + forwarderHealth();
            assertTrue(said.contains("has no 'd'"), said);
            assertFalse(said.contains(modulus.substring(0, 40)) || said.contains(privateExponent.substring(0, 40)),
                    "no key material: " + said);
        }
        assertEquals(ServiceStatus.Stopped, gateway.context().getRouteController().getRouteStatus("download-forwarder"));
        sleep(1_000);
        assertEquals(List.of(), deliveredEventIds(simulator), "nothing sent");
        assertEquals(List.of(), readTopic(kafka.bootstrapServers(), settings.get("download-events.dlq-topic"),
                read -> false, 1_000), "nothing parked");
    }

    @Test
    void each_answer_of_a_node_ends_as_the_contract_says_and_no_event_is_lost() {
        gateway = RunningGateway.start(simulator, kafka, settings);

        // the item itself refused: parked, with the node's answer as the reason
        String refused = whileFaulted(Fault.status(400, "invalid data item: bad tags"), false);
        String htmlRefusal = whileFaulted(Fault.status(404,
                "<html><head><title>404 Not Found</title></head><body>no such process</body></html>"), false);
        // the node failing, asking for payment or for time: retried, delivered once it answers again
        String paymentRequired = whileFaulted(Fault.status(402,
                "{\"body\":\"Insufficient funds\",\"price\":100,\"balance\":0}"), true);
        String tooMany = whileFaulted(Fault.status(429), true);
        String failing = whileFaulted(Fault.status(500), true);
        String htmlFailure = whileFaulted(Fault.status(502, "<html><title>502 Bad Gateway</title></html>"), true);

        Map<String, String> reasons = readTopic(kafka.bootstrapServers(), settings.get("download-events.dlq-topic"),
                read -> read.size() >= 2, 30_000).stream().collect(Collectors.toMap(
                        record -> json(new String(record.value())).path("eventId").asText(),
                        record -> header(record, "dlq-reason")));
        assertEquals(Set.of(refused, htmlRefusal), reasons.keySet());
        assertEquals("refused: HTTP 400 from 127.0.0.1: invalid data item: bad tags", reasons.get(refused));
        assertEquals("refused: HTTP 404 from 127.0.0.1: HTML page '404 Not Found'", reasons.get(htmlRefusal));
        assertTrue(eventually(() -> deliveredEventIds(simulator).containsAll(
                List.of(paymentRequired, tooMany, failing, htmlFailure)), 30_000), deliveredEventIds(simulator).toString());
        assertEquals(4, deliveredEventIds(simulator).size(), "each once, the refused ones not at all");
    }

    @Test
    void reads_and_writes_have_breakers_of_their_own_and_neither_trips_the_other() {
        settings.put("download-events.forwarder.transport", "mu");
        settings.put("download-events.forwarder.retries", "0");
        settings.put("hyperbeam.breaker.wait-millis-in-open-state", "60000");
        settings.put("download-events.forwarder.breaker.wait-millis-in-open-state", "60000");
        gateway = RunningGateway.start(simulator, kafka, settings);
        CircuitBreaker reads = gateway.bean("hyperbeamBreaker", CircuitBreaker.class);
        CircuitBreaker writes = gateway.bean("forwarderBreaker", CircuitBreaker.class);

        simulator.faults(Upstream.MESSENGER_UNIT).inject(Fault.status(503));
        for (int i = 0; i < 6; i++) {
            eventIdOf(postDownload(gateway, SKILL, BODY));
        }
        assertTrue(eventually(() -> writes.getState() == CircuitBreaker.State.OPEN, 30_000), writes.getState().name());
        HttpResponse<String> read = EventsTestSupport.get(gateway, "/api/skills/cron");
        assertEquals(200, read.statusCode());
        assertEquals("hyperbeam", read.headers().firstValue("X-Registry-Source").orElse(""));
        assertEquals(CircuitBreaker.State.CLOSED, reads.getState());
        simulator.faults(Upstream.MESSENGER_UNIT).clear();

        simulator.faults(Upstream.HYPERBEAM).inject(Fault.status(500));
        for (String skill : List.of("cron", "ao", "bundler", "semver-order", "permaweb", "arweave")) {
            EventsTestSupport.get(gateway, "/api/skills/" + skill + "/versions");
        }
        assertTrue(eventually(() -> reads.getState() == CircuitBreaker.State.OPEN, 30_000), reads.getState().name());
        assertEquals(CircuitBreaker.State.OPEN, writes.getState(), "the reads' failures are not the writes'");
    }

    private ReceivedMessage postAndAwaitOneMessage() throws Exception {
        int before = dryrunDownloadCount(simulator, SKILL, VERSION);
        String eventId = eventIdOf(postDownload(gateway, SKILL, BODY));
        assertTrue(eventually(() -> deliveredEventIds(simulator).contains(eventId), 30_000), "never delivered");
        sleep(1_000);
        List<ReceivedMessage> messages = simulator.messages();
        assertEquals(1, messages.size(), messages.toString());
        ReceivedMessage message = messages.get(0);
        assertEquals(eventId, message.data());
        assertEquals(TestWallets.wallet().address(), message.ownerAddress());
        assertEquals(before + 1, message.downloadCount());
        assertEquals(before + 1, dryrunDownloadCount(simulator, SKILL, VERSION));
        return message;
    }

    /** The item the gateway signs for the message's event is the one the process took (same id), and arbundles verifies it. */
    private void verifiedByArbundles(ReceivedMessage message) throws Exception {
        DataItem item = gateway.bean("downloadMessages", DownloadMessages.class).sign(message.data(), SKILL, VERSION);
        assertEquals(message.id(), item.id(), "one event, one message: the same bytes every time");
        Arbundles.assumeInstalled();
        Path file = Files.write(dir.resolve("message.bin"), item.toBytes());

        Arbundles.Verdict verdict = Arbundles.verify(file);

        assertEquals(0, verdict.exitCode(), verdict.stderr());
        JsonNode report = verdict.report();
        assertEquals(message.id(), report.path("id").asText());
        assertEquals(1, report.path("signatureType").asInt());
        assertEquals(Base64Url.encode(TestWallets.wallet().owner()), report.path("owner").asText());
        assertEquals(simulator.processId(), report.path("target").asText());
        Map<String, String> tags = new HashMap<>();
        report.path("tags").forEach(tag -> tags.put(tag.path("name").asText(), tag.path("value").asText()));
        assertEquals(message.tags(), tags);
    }

    /** Posts an event while the node answers with the fault, then clears it; the event's id. */
    private String whileFaulted(Fault fault, boolean retried) {
        long pushesBefore = simulator.calls(Upstream.HYPERBEAM).getOrDefault("push", 0L);
        simulator.faults(Upstream.HYPERBEAM).inject(fault);
        String eventId = eventIdOf(postDownload(gateway, SKILL, BODY));
        long wanted = pushesBefore + (retried ? 2 : 1);
        assertTrue(eventually(() -> simulator.calls(Upstream.HYPERBEAM).getOrDefault("push", 0L) >= wanted, 30_000),
                "the node was not asked " + (retried ? "again" : "at all"));
        simulator.faults(Upstream.HYPERBEAM).clear();
        if (!retried) {
            sleep(500);
            assertEquals(wanted, simulator.calls(Upstream.HYPERBEAM).getOrDefault("push", 0L),
                    "a refused item is not sent again");
        }
        return eventId;
    }

    private Map<String, Object> forwarderHealth() {
        return gateway.bean("downloadForwarderHealthCheck", HealthCheck.class).call().getDetails();
    }

    private void rewindForwarderToTheStart() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.alterConsumerGroupOffsets(settings.get("download-events.forwarder.group-id"),
                    Map.of(new TopicPartition(settings.get("download-events.topic"), 0), new OffsetAndMetadata(0)))
                    .all().get();
        }
    }
}
