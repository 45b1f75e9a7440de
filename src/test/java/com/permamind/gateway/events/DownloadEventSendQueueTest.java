package com.permamind.gateway.events;

import static com.permamind.gateway.events.EventsTestSupport.eventually;
import static com.permamind.gateway.events.EventsTestSupport.json;
import static com.permamind.gateway.events.EventsTestSupport.ownTopics;
import static com.permamind.gateway.events.EventsTestSupport.postDownload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.simulator.RegistrySimulator;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event sends are bounded by download-events.send-queue, not by threads: with the broker down
 * before the topic's metadata was ever fetched, a send waits up to max-block on a virtual thread;
 * one POST more than the bound is answered 503 with Retry-After at once, never 202.
 */
class DownloadEventSendQueueTest {

    private static final long MAX_BLOCK_MS = 6_000;

    private static EmbeddedKafka kafka;
    private static RegistrySimulator simulator;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        simulator = EventsTestSupport.startSimulator();
        Map<String, String> settings = new HashMap<>(ownTopics("send-queue"));
        settings.put("download-events.send-queue", "1");
        settings.put("download-events.max-block-millis", Long.toString(MAX_BLOCK_MS));
        settings.put("download-events.forwarder.enabled", "false");
        settings.put("gateway.retry-after-seconds", "11");
        gateway = RunningGateway.start(simulator, kafka, settings);
    }

    @AfterAll
    static void stop() {
        EventsTestSupport.stopAll(gateway, simulator, kafka);
    }

    @Test
    void a_post_beyond_the_sends_waiting_for_kafka_is_answered_503_at_once() throws Exception {
        kafka.stopBroker();
        try {
            // no metadata for the topic yet: this send waits for it, up to max-block, holding the one place
            CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(
                    () -> postDownload(gateway, "cron", null));
            Thread.sleep(1_500);
            assertTrue(!waiting.isDone(), "the first send did not wait for Kafka's metadata");

            long start = System.nanoTime();
            HttpResponse<String> refused = postDownload(gateway, "bundler", null);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("11", refused.headers().firstValue("Retry-After").orElse(""));
            assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
            assertTrue(json(refused.body()).path("detail").asText().contains("at capacity"), refused.body());
            assertTrue(elapsedMs < MAX_BLOCK_MS - 2_000, "refused only after " + elapsedMs + " ms");

            HttpResponse<String> first = waiting.get(MAX_BLOCK_MS + 20_000, TimeUnit.MILLISECONDS);
            assertEquals(503, first.statusCode(), "an event Kafka never held: " + first.body());
        } finally {
            kafka.startBroker();
        }
        assertTrue(eventually(() -> postDownload(gateway, "cron", null).statusCode() == 202, 30_000),
                "the place was not given back once the send ended");
    }
}
