package com.permamind.gateway.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

/**
 * A message holding text a client sent (a query with CR/LF in it) is written as one line by the
 * gateway's text layout, the one of src/main/resources/log4j2.properties, for every logger and the
 * request log alike: it cannot start a forged line.
 */
class LogEscapingTest {

    @Test
    void control_characters_in_a_message_cannot_start_a_line_of_their_own() throws IOException {
        Properties shipped = new Properties();
        try (InputStream in = LogEscapingTest.class.getResourceAsStream("/log4j2.properties")) {
            shipped.load(in);
        }
        PatternLayout text = PatternLayout.newBuilder().withConfiguration(new DefaultConfiguration())
                .withPattern(shipped.getProperty("property.textPattern")).build();

        String line = text.toSerializable(event("no upstream could answer search-skills: q=x\r\n"
                + "2026-12-07 08:00:00,000 INFO  [main] c.p.g.GatewayApplication - forged\u001b[2J\u0000end\ttab"));

        assertEquals(1, line.split("\n", -1).length - 1, "one line: " + line);
        assertTrue(line.endsWith("end\ttab" + System.lineSeparator()) || line.endsWith("end\ttab\n"), line);
        assertTrue(line.contains("q=x\\r\\n2026-12-07"), line);
        assertTrue(line.contains("forged?[2J?end"), line);
        assertEquals(-1, line.indexOf('\r'), line);
    }

    private static LogEvent event(String message) {
        return Log4jLogEvent.newBuilder().setLoggerName("com.permamind.gateway.answer.RegistryAnswers")
                .setLevel(Level.WARN).setThreadName("upstreamReads-1").setMessage(new SimpleMessage(message)).build();
    }
}
