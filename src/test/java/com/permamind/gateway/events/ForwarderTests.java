package com.permamind.gateway.events;

import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.simulator.RegistrySimulator;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * What the forwarder's test classes share: one broker and one simulator per class, and for each
 * test its own topics and consumer group, short retries and pauses, and a gateway it may start,
 * stopped after it. A test class adds its own settings in a {@code @BeforeEach} of its own.
 */
abstract class ForwarderTests {

    static EmbeddedKafka kafka;
    static RegistrySimulator simulator;

    Map<String, String> settings;
    RunningGateway gateway;

    @BeforeAll
    static void startUpstreams() {
        kafka = EmbeddedKafka.start();
        simulator = EventsTestSupport.startSimulator();
    }

    @AfterAll
    static void stopUpstreams() {
        if (simulator != null) {
            simulator.stop();
        }
        if (kafka != null) {
            kafka.stop();
        }
    }

    @BeforeEach
    void ownTopicsAndShortWaits(TestInfo test) {
        simulator.reset();
        String name = test.getTestMethod().orElseThrow().getName().replace('_', '-');
        settings = new HashMap<>(EventsTestSupport.ownTopics(name.substring(0, Math.min(40, name.length()))));
        settings.put("download-events.rate-limit.events-per-period", "1000000");
        settings.put("download-events.forwarder.retry-delay-millis", "50");
        settings.put("download-events.forwarder.max-retry-delay-millis", "400");
        settings.put("download-events.forwarder.minimum-pause-millis", "300");
    }

    @AfterEach
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
        simulator.reset();
    }
}
