package com.permamind.gateway.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.permamind.gateway.support.GatewayHarness;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

/** What an operator reads when the gateway starts: each setting it runs with, said once. */
class StartupLogTest {

    @Test
    void should_say_each_setting_once_although_camel_main_processes_the_configurations_twice() {
        List<String> lines = new CopyOnWriteArrayList<>();
        LoggerContext logs = (LoggerContext) LogManager.getContext(false);
        LoggerConfig gatewayLogger = logs.getConfiguration().getLoggerConfig("com.permamind.gateway");
        Appender capture = new AbstractAppender("capture-start", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getMessage().getFormattedMessage());
            }
        };
        capture.start();
        gatewayLogger.addAppender(capture, null, null);
        logs.updateLoggers();
        try (GatewayHarness gateway = GatewayHarness.start(Map.of())) {
            assertEquals(200, gateway.get("/api/info").statusCode());
        } finally {
            gatewayLogger.removeAppender(capture.getName());
            logs.updateLoggers();
        }

        for (String setting : List.of("Upstream reads: up to", "Response cache:", "HyperBEAM tier:", "Dryrun tier:",
                "Download events: at most", "download-events.client-hash-secret is not set")) {
            assertEquals(1, lines.stream().filter(line -> line.startsWith(setting)).count(), setting + " in " + lines);
        }
    }
}
