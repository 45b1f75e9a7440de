package com.permamind.gateway.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.permamind.gateway.support.GatewayHarness;
import com.permamind.gateway.support.LogCapture;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/** What an operator reads when the gateway starts: each setting it runs with, said once. */
class StartupLogTest {

    @Test
    void should_say_each_setting_once_although_camel_main_processes_the_configurations_twice() {
        List<String> lines;
        try (LogCapture log = LogCapture.of("com.permamind.gateway", Level.INFO);
                GatewayHarness gateway = GatewayHarness.start(Map.of())) {
            assertEquals(200, gateway.get("/api/info").statusCode());
            lines = List.copyOf(log.lines());
        }

        for (String setting : List.of("Upstream reads: each on a virtual thread", "Response cache:", "HyperBEAM tier:", "Dryrun tier:",
                "Download events: at most", "download-events.client-hash-secret is not set")) {
            assertEquals(1, lines.stream().filter(line -> line.startsWith(setting)).count(), setting + " in " + lines);
        }
    }
}
