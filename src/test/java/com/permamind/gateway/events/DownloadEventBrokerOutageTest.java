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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The broker is stopped under a running gateway: a POST must say 503 in bounded time, never 202. */
class DownloadEventBrokerOutageTest {

    private static final long MAX_BLOCK_MS = 1_000;
    private static final long DELIVERY_TIMEOUT_MS = 2_000;
    // scheduling on a shared 2-core machine
    private static final long SLACK_MS = 3_000;

    private static EmbeddedKafka kafka;
    private static RegistrySimulator simulator;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        simulator = EventsTestSupport.startSimulator();
        Map<String, String> settings = new HashMap<>(ownTopics("broker-outage"));
        settings.put("download-events.max-block-millis", Long.toString(MAX_BLOCK_MS));
        settings.put("download-events.request-timeout-millis", "1500");
        settings.put("download-events.delivery-timeout-millis", Long.toString(DELIVERY_TIMEOUT_MS));
        settings.put("download-events.retry-after-seconds", "7");
        gateway = RunningGateway.start(simulator, kafka, settings);
    }

    @AfterAll
    static void stop() {
        EventsTestSupport.stopAll(gateway, simulator, kafka);
    }

    @Test
    void download_posted_while_the_broker_is_down_is_answered_503_in_bounded_time_and_202_again_once_it_is_back() {
        assertEquals(202, postDownload(gateway, "cron", null).statusCode(), "the broker was up");

        kafka.stopBroker();
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                long start = System.nanoTime();
                HttpResponse<String> answer = postDownload(gateway, "cron", "{\"version\": null}");
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;

                assertEquals(503, answer.statusCode(), answer.body());
                assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElse(""));
                assertEquals(503, json(answer.body()).path("status").asInt());
                assertEquals("7", answer.headers().firstValue("Retry-After").orElse(""));
                assertTrue(elapsedMs < MAX_BLOCK_MS + DELIVERY_TIMEOUT_MS + SLACK_MS,
                        "answered only after " + elapsedMs + " ms");
            }
        } finally {
            kafka.startBroker();
        }

        assertTrue(eventually(() -> postDownload(gateway, "cron", null).statusCode() == 202, 30_000),
                "the gateway did not accept downloads again once the broker was back");
    }
}
