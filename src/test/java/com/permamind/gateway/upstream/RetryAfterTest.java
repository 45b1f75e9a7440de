package com.permamind.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2025-11-22T12:00:00Z");

    @Test
    void should_read_delay_seconds_and_http_dates() {
        assertEquals(Duration.ofSeconds(120), RetryAfter.parse(" 120 ", NOW));
        assertEquals(Duration.ofSeconds(90), RetryAfter.parse("Sat, 22 Nov 2025 12:01:30 GMT", NOW));
        assertEquals(Duration.ZERO, RetryAfter.parse("Sat, 22 Nov 2025 11:00:00 GMT", NOW), "a date past is no wait");
    }

    @Test
    void should_ignore_what_is_absent_or_unreadable() {
        assertNull(RetryAfter.parse(null, NOW));
        assertNull(RetryAfter.parse("", NOW));
        assertNull(RetryAfter.parse("soon", NOW));
        assertNull(RetryAfter.parse("-5", NOW));
        assertNull(RetryAfter.parse("99999999999999999999", NOW));
    }
}
