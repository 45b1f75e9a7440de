package com.permamind.gateway.events;

import static com.permamind.gateway.events.EventsTestSupport.deliveredEventIds;
import static com.permamind.gateway.events.EventsTestSupport.eventually;
import static com.permamind.gateway.events.EventsTestSupport.eventIdOf;
import static com.permamind.gateway.events.EventsTestSupport.header;
import static com.permamind.gateway.events.EventsTestSupport.postDownload;
import static com.permamind.gateway.events.EventsTestSupport.produce;
import static com.permamind.gateway.events.EventsTestSupport.readTopic;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarder with a real broker and the simulated HyperBEAM node: what reaches the node, what is
 * parked, and that no accepted event is lost through an outage or a restart.
 */
class DownloadForwarderTest extends ForwarderTests {

    private static final String SKILL = "bundler";
    private static final List<String> VERSIONS = List.of("0.0.11", "0.1.1", "0.2.1", "1.0.5");
    private static final int POSTING_THREADS = 8;

    @BeforeEach
    void quickRecovery() {
        // an outage a test can sit through: the breaker probes again after 1 s, retries are short
        settings.put("download-events.forwarder.breaker.wait-millis-in-open-state", "1000");
        settings.put("download-events.forwarder.timeout-millis", "2000");
    }

    @Test
    void records_nothing_could_deliver_are_parked_with_their_reason_and_the_events_behind_them_are_still_delivered() {
        // the gateway's cache learns that this skill does not exist: its downloads are parked, not sent
        HttpResponse<String> notFound = EventsTestSupport.get(gateway = RunningGateway.start(simulator, kafka, settings),
                "/api/skills/no-such-skill");
        assertEquals(404, notFound.statusCode(), notFound.body());
        String topic = settings.get("download-events.topic");
        byte[] notJson = "downloaded bundler, honest".getBytes(StandardCharsets.UTF_8);
        byte[] wrongSchema = ("{\"schema\":2,\"eventId\":\"0b5c6f1e-8a4d-4c55-9a43-3f1f3c1d2e01\",\"type\":"
                + "\"skill.downloaded\",\"skill\":\"bundler\",\"version\":null,\"occurredAt\":1763769600000}")
                .getBytes(StandardCharsets.UTF_8);
        produce(kafka.bootstrapServers(), topic, "bundler", notJson);
        produce(kafka.bootstrapServers(), topic, "bundler", wrongSchema);
        String unknownSkill = eventIdOf(postDownload(gateway, "no-such-skill", null));
        // not known missing: sent, and ignored by the process as the real handler ignores it
        String unknownVersion = eventIdOf(postDownload(gateway, SKILL, "{\"version\":\"9.9.9\"}"));
        String delivered = eventIdOf(postDownload(gateway, SKILL, "{\"version\":\"1.0.5\"}"));

        assertTrue(eventually(() -> deliveredEventIds(simulator).contains(delivered), 30_000),
                "the event behind the bad records was never delivered");
        // the events of a poll are delivered, and parked, at the same time: in offset order for the checks
        List<ConsumerRecord<String, byte[]>> parked = new ArrayList<>(readTopic(kafka.bootstrapServers(),
                settings.get("download-events.dlq-topic"), read -> read.size() >= 3, 30_000));
        parked.sort(Comparator.comparingLong(record -> Long.parseLong(header(record, "dlq-offset"))));

        assertEquals(3, parked.size(), "parked: " + parked);
        assertArrayEquals(notJson, parked.get(0).value());
        assertEquals("bundler", parked.get(0).key());
        assertEquals("malformed: not JSON", header(parked.get(0), "dlq-reason"));
        assertEquals(topic, header(parked.get(0), "dlq-topic"));
        assertEquals("0", header(parked.get(0), "dlq-partition"));
        assertEquals("0", header(parked.get(0), "dlq-offset"));
        assertArrayEquals(wrongSchema, parked.get(1).value());
        assertEquals("malformed: schema is not 1", header(parked.get(1), "dlq-reason"));
        assertEquals("1", header(parked.get(1), "dlq-offset"));
        assertEquals("no-such-skill", parked.get(2).key());
        assertTrue(new String(parked.get(2).value(), StandardCharsets.UTF_8).contains(unknownSkill));
        assertEquals("not_found: the gateway's cache holds a 404 for skill 'no-such-skill'",
                header(parked.get(2), "dlq-reason"));
        assertTrue(Long.parseLong(header(parked.get(2), "dlq-parked-at")) > 0);
        assertTrue(deliveredEventIds(simulator).contains(unknownVersion), "an unknown version is the process's to ignore");
        assertTrue(simulator.messages().stream().filter(message -> message.data().equals(unknownVersion))
                .allMatch(message -> message.downloadCount() == null), "and the process ignored it");
        MeterRegistry meters = gateway.context().getRegistry().findSingleByType(MeterRegistry.class);
        assertEquals(2.0, meters.get("registry.download.events.parked").tag("reason", "malformed").counter().count());
        assertEquals(1.0, meters.get("registry.download.events.parked").tag("reason", "not_found").counter().count());
        assertEquals(0.0, meters.get("registry.download.events.parked").tag("reason", "refused").counter().count());
        assertEquals(3.0, meters.get("registry.download.events").tag("outcome", "parked").counter().count());
    }

    @Test
    void events_posted_while_hyperbeam_is_down_are_all_accepted_then_all_delivered_after_recovery_and_none_parked()
            throws Exception {
        gateway = RunningGateway.start(simulator, kafka, settings);
        ForwarderPause pause = gateway.bean("forwarderPause", ForwarderPause.class);
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.connectionRefused());

        List<HttpResponse<String>> answers = postConcurrently(gateway, 500);

        assertEquals(List.of(202), answers.stream().map(HttpResponse::statusCode).distinct().toList(),
                "every POST during the outage must be accepted");
        Set<String> accepted = new HashSet<>();
        answers.forEach(answer -> accepted.add(eventIdOf(answer)));
        assertEquals(500, accepted.size());
        // down for a while: the forwarder must hold the events, not drain them
        assertTrue(eventually(() -> pause.pauses() >= 2, 30_000), "the forwarder never paused");
        assertEquals(List.of(), deliveredEventIds(simulator));

        simulator.faults(Upstream.HYPERBEAM).clear();

        assertTrue(eventually(() -> new HashSet<>(deliveredEventIds(simulator)).containsAll(accepted), 120_000),
                "after recovery only " + new HashSet<>(deliveredEventIds(simulator)).size() + " of 500 were delivered");
        assertEquals(List.of(), readTopic(kafka.bootstrapServers(), settings.get("download-events.dlq-topic"),
                read -> false, 3_000), "nothing may be parked because of an outage");
    }

    @Test
    void a_burst_that_failed_and_had_nothing_behind_it_is_delivered_in_full_once_hyperbeam_is_back()
            throws Exception {
        gateway = RunningGateway.start(simulator, kafka, settings);
        ForwarderPause pause = gateway.bean("forwarderPause", ForwarderPause.class);
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.connectionRefused());
        Set<String> accepted = new HashSet<>();
        postConcurrently(gateway, 20).forEach(answer -> accepted.add(eventIdOf(answer)));
        assertTrue(eventually(() -> pause.pauses() >= 1, 30_000), "the forwarder never paused");

        simulator.faults(Upstream.HYPERBEAM).clear();

        assertTrue(eventually(() -> new HashSet<>(deliveredEventIds(simulator)).containsAll(accepted), 30_000),
                "after recovery only " + new HashSet<>(deliveredEventIds(simulator)).size() + " of 20 were delivered");
    }

    @Test
    void events_waiting_on_the_topic_are_delivered_at_the_same_time_not_one_node_call_after_another()
            throws Exception {
        // one at a time, 50 events at 1 s a call (under the test's 2 s timeout) would take 50 s
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.latency(1_000, 0));
        gateway = RunningGateway.start(simulator, kafka, settings);
        Set<String> accepted = new HashSet<>();
        postConcurrently(gateway, 50).forEach(answer -> accepted.add(eventIdOf(answer)));

        assertTrue(eventually(() -> new HashSet<>(deliveredEventIds(simulator)).containsAll(accepted), 15_000),
                "in 15 s only " + new HashSet<>(deliveredEventIds(simulator)).size() + " of 50 were delivered");
    }

    @Test
    void gateway_stopped_and_restarted_mid_stream_loses_no_event() throws Exception {
        // a slow node and polls of 10 keep a backlog (50 events/s at most, fewer than are posted),
        // so the stop lands while the forwarder is mid-stream
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.latency(200, 0));
        settings.put("download-events.forwarder.max-poll-records", "10");
        gateway = RunningGateway.start(simulator, kafka, settings);
        int countedBefore = counted();
        Set<String> accepted = new HashSet<>();
        postConcurrently(gateway, 200).forEach(answer -> accepted.add(eventIdOf(answer)));
        assertTrue(eventually(() -> deliveredEventIds(simulator).size() >= 20, 30_000));

        gateway.close();
        int deliveredAtStop = new HashSet<>(deliveredEventIds(simulator)).size();
        assertTrue(deliveredAtStop < accepted.size(), "the forwarder had already finished: nothing was tested");

        gateway = RunningGateway.start(simulator, kafka, settings);
        postConcurrently(gateway, 100).forEach(answer -> accepted.add(eventIdOf(answer)));
        simulator.faults(Upstream.HYPERBEAM).clear();

        assertTrue(eventually(() -> new HashSet<>(deliveredEventIds(simulator)).containsAll(accepted), 120_000),
                "after the restart only " + new HashSet<>(deliveredEventIds(simulator)).size() + " of "
                        + accepted.size() + " were delivered (" + deliveredAtStop + " before the stop)");
        List<String> deliveries = deliveredEventIds(simulator);
        assertEquals(accepted, new HashSet<>(deliveries), "only accepted events are delivered, by their own id");
        assertEquals(accepted.size(), deliveries.size(), "each message taken once");
        assertEquals(countedBefore + accepted.size(), counted(), "every accepted event counted once at the process");
    }

    @Test
    void a_broker_restart_mid_stream_ends_with_every_accepted_event_counted_once() throws Exception {
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.latency(200, 0));
        settings.put("download-events.forwarder.max-poll-records", "10");
        gateway = RunningGateway.start(simulator, kafka, settings);
        int countedBefore = counted();
        Set<String> accepted = new HashSet<>();
        postConcurrently(gateway, 150).forEach(answer -> accepted.add(eventIdOf(answer)));
        assertTrue(eventually(() -> deliveredEventIds(simulator).size() >= 20, 30_000));

        kafka.restart();
        assertTrue(deliveredEventIds(simulator).size() < accepted.size(), "the forwarder had already finished");
        simulator.faults(Upstream.HYPERBEAM).clear();

        assertTrue(eventually(() -> new HashSet<>(deliveredEventIds(simulator)).containsAll(accepted), 120_000),
                "after the broker restart only " + new HashSet<>(deliveredEventIds(simulator)).size() + " of "
                        + accepted.size() + " were delivered");
        assertEquals(accepted.size(), deliveredEventIds(simulator).size(), "each message taken once");
        assertEquals(countedBefore + accepted.size(), counted(), "every accepted event counted once at the process");
    }

    /** The process's download count over the versions the tests post, as a dryrun reads it. */
    private static int counted() {
        return VERSIONS.stream().mapToInt(version -> simulator.downloadCount(SKILL, version)).sum();
    }

    private static List<HttpResponse<String>> postConcurrently(RunningGateway gateway, int events) throws Exception {
        ExecutorService posters = Executors.newFixedThreadPool(POSTING_THREADS);
        try {
            List<Future<HttpResponse<String>>> pending = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                String version = "{\"version\":\"" + VERSIONS.get(i % VERSIONS.size()) + "\"}";
                pending.add(posters.submit(() -> postDownload(gateway, SKILL, version)));
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : pending) {
                answers.add(answer.get(60, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            posters.shutdownNow();
        }
    }
}
