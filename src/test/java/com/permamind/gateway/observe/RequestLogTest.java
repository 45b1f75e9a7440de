package com.permamind.gateway.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.metrics.RequestLog;
import com.permamind.gateway.support.LogCapture;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request log's queue: reads hand their lines to its writer thread; none is lost at a stop,
 * and once the writer is a queue's worth behind, a read writes its own line.
 */
class RequestLogTest {

    private LogCapture written;

    @BeforeEach
    void captureTheRequestLogger() {
        written = LogCapture.of("com.permamind.gateway.requests", Level.INFO);
    }

    @AfterEach
    void release() {
        written.close();
    }

    @Test
    void should_write_the_lines_of_reads_on_its_own_thread_and_the_queued_ones_at_its_stop() throws Exception {
        RequestLog log = new RequestLog(1000);
        log.start();
        log.add("get-skill", 200, "cache", 1_250_000, null);
        long until = System.nanoTime() + 5_000_000_000L;
        while (written.lines().isEmpty() && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertEquals(List.of("get-skill status=200 source=cache total=1.3ms"), written.lines());
        assertEquals(List.of("request-log"), written.threads());

        for (int i = 0; i < 500; i++) {
            log.add("search-skills", 503, "none", 5_000_000_000L, 4_999_940_000L);
        }
        log.stop();
        assertEquals(501, written.lines().size());
        assertEquals("search-skills status=503 source=none total=5000.0ms upstream=4999.9ms", written.lines().get(500));
    }

    @Test
    void should_have_a_read_write_its_own_line_when_the_queue_is_full_and_once_the_log_stopped() throws Exception {
        RequestLog log = new RequestLog(0);
        log.start();
        log.add("info", 200, "hyperbeam", 300_000_000, 299_000_000L);
        // written before add returned, by the caller
        assertEquals(List.of("info status=200 source=hyperbeam total=300.0ms upstream=299.0ms"), written.lines());
        assertEquals(List.of(Thread.currentThread().getName()), written.threads());
        log.stop();

        log.add("info", 200, "cache", 100_000, null);
        assertEquals(2, written.lines().size());
        assertTrue(written.threads().get(1).equals(Thread.currentThread().getName()), written.threads().toString());
    }
}
