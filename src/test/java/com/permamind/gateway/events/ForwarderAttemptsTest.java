package com.permamind.gateway.events;

import static com.permamind.gateway.events.EventsTestSupport.deliveredEventIds;
import static com.permamind.gateway.events.EventsTestSupport.eventually;
import static com.permamind.gateway.events.EventsTestSupport.eventIdOf;
import static com.permamind.gateway.events.EventsTestSupport.sleep;
import static com.permamind.gateway.events.EventsTestSupport.postDownload;
import static com.permamind.gateway.events.EventsTestSupport.produce;
import static com.permamind.gateway.events.EventsTestSupport.readTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 25's forwarder items: an event the upstream keeps failing gets a bounded window of attempts,
 * counted once by the forwarder's breaker, then the forwarder waits, longer each time, its events
 * kept; an event already accepted is not sent again when the consumer rewinds past it; and the
 * meters the alerts read exist and move.
 */
class ForwarderAttemptsTest extends ForwarderTests {

    @BeforeEach
    void messengerUnitAndQuietBreaker() {
        settings.put("download-events.forwarder.transport", "mu");
        settings.put("download-events.forwarder.retry-delay-millis", "50");
        settings.put("download-events.forwarder.max-retry-delay-millis", "100");
        // the pause, not the breaker, is under test
        settings.put("download-events.forwarder.breaker.minimum-number-of-calls", "100");
        settings.put("download-events.forwarder.breaker.sliding-window-size", "100");
    }

    @Test
    void an_event_the_upstream_keeps_failing_gets_bounded_attempts_counted_once_then_waits_longer_each_time() {
        settings.put("download-events.forwarder.retries", "2");
        settings.put("download-events.forwarder.minimum-pause-millis", "1000");
        settings.put("download-events.forwarder.maximum-pause-millis", "8000");
        gateway = RunningGateway.start(simulator, kafka, settings);
        ForwarderPause pause = gateway.bean("forwarderPause", ForwarderPause.class);
        CircuitBreaker writes = gateway.bean("forwarderBreaker", CircuitBreaker.class);
        CircuitBreaker reads = gateway.bean("hyperbeamBreaker", CircuitBreaker.class);
        simulator.faults(Upstream.MESSENGER_UNIT).inject(Fault.status(503));

        String eventId = eventIdOf(postDownload(gateway, "bundler", null));

        assertTrue(eventually(() -> pause.pauses() >= 1, 30_000), "the forwarder never paused");
        assertEquals(3, sends(), "one window: the first send and 2 retries, then the forwarder waits");
        assertEquals(1, writes.getMetrics().getNumberOfFailedCalls(), "the window counts once against the breaker");
        assertEquals(0, reads.getMetrics().getNumberOfBufferedCalls(), "and not at all against the reads' breaker");
        sleep(5_000);
        // pauses of 1, 2 and 4 s: at most 3 windows within 5 s of the first (at a fixed 1 s, 5 or 6)
        long sends = sends();
        assertTrue(sends <= 9, "windows: " + sends / 3.0);
        assertTrue(writes.getMetrics().getNumberOfFailedCalls() <= 3, "one failure per window");
        assertEquals(List.of(), deliveredEventIds(simulator));

        simulator.faults(Upstream.MESSENGER_UNIT).clear();

        assertTrue(eventually(() -> deliveredEventIds(simulator).contains(eventId), 30_000), "never delivered");
        assertEquals(List.of(eventId), deliveredEventIds(simulator));
        assertEquals(List.of(), readTopic(kafka.bootstrapServers(), settings.get("download-events.dlq-topic"),
                read -> false, 1_000), "an upstream failure never parks an event");
    }

    @Test
    void an_event_accepted_before_the_consumer_rewound_past_it_is_not_sent_again() {
        // one send at a time, in offset order; every second send fails: the first event is taken, the
        // second fails and the consumer rewinds to it, past the third, which was taken already
        settings.put("download-events.forwarder.deliveries-at-once", "1");
        settings.put("download-events.forwarder.retries", "0");
        settings.put("download-events.forwarder.minimum-pause-millis", "200");
        simulator.faults(Upstream.MESSENGER_UNIT).inject(Fault.status(503).everyNth(2));
        List<String> events = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                UUID.randomUUID().toString());
        for (String eventId : events) {
            produce(kafka.bootstrapServers(), settings.get("download-events.topic"), "bundler", event(eventId));
        }

        gateway = RunningGateway.start(simulator, kafka, settings);

        assertTrue(eventually(() -> deliveredEventIds(simulator).containsAll(events), 30_000),
                deliveredEventIds(simulator).toString());
        sleep(500);
        assertEquals(3, deliveredEventIds(simulator).size(), "each once: " + deliveredEventIds(simulator));
        assertTrue(counter("registry.download.messages.repeats.avoided") >= 1, "no repeat was avoided");
        assertEquals(3.0, counter("registry.download.events", "outcome", "delivered"));
    }

    @Test
    void the_lag_grows_while_events_wait_and_is_zero_once_they_are_delivered_and_accepted_events_are_counted() {
        settings.put("download-events.forwarder.retries", "0");
        settings.put("download-events.forwarder.minimum-pause-millis", "300");
        settings.put("download-events.forwarder.maximum-pause-millis", "300");
        gateway = RunningGateway.start(simulator, kafka, settings);
        ForwarderPause pause = gateway.bean("forwarderPause", ForwarderPause.class);
        simulator.faults(Upstream.MESSENGER_UNIT).inject(Fault.status(500));

        postDownload(gateway, "bundler", null);
        postDownload(gateway, "cron", null);

        assertTrue(eventually(() -> pause.pauses() >= 1, 30_000), "the forwarder never paused");
        assertEquals(2.0, counter("registry.download.events", "outcome", "accepted"));
        sleep(1_500);
        assertTrue(gauge("registry.forwarder.lag.seconds") >= 1.5, "lag " + gauge("registry.forwarder.lag.seconds"));

        simulator.faults(Upstream.MESSENGER_UNIT).clear();

        assertTrue(eventually(() -> deliveredEventIds(simulator).size() == 2, 30_000));
        assertTrue(eventually(() -> gauge("registry.forwarder.lag.seconds") == 0.0, 5_000),
                "lag " + gauge("registry.forwarder.lag.seconds"));
    }

    private long sends() {
        return simulator.calls(Upstream.MESSENGER_UNIT).getOrDefault("message", 0L);
    }

    private double counter(String name, String... tags) {
        var counter = meters().find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private double gauge(String name) {
        return meters().get(name).gauge().value();
    }

    private MeterRegistry meters() {
        return gateway.context().getRegistry().findSingleByType(MeterRegistry.class);
    }

    private static byte[] event(String eventId) {
        return ("{\"schema\":1,\"eventId\":\"" + eventId + "\",\"type\":\"skill.downloaded\",\"skill\":\"bundler\","
                + "\"version\":\"1.0.5\",\"occurredAt\":" + System.currentTimeMillis() + ",\"client\":{\"userAgent\":null,"
                + "\"ipHash\":\"00\"}}").getBytes(StandardCharsets.UTF_8);
    }
}
