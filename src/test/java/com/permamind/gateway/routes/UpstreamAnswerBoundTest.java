package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An upstream answer larger than its bound ({@code hyperbeam.max-answer-bytes},
 * {@code ao.max-answer-bytes}) is an upstream failure, read no further: the simulator's huge body
 * (64 MB, chunked) against bounds of 1 MB.
 */
class UpstreamAnswerBoundTest {

    private static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of("hyperbeam.max-answer-bytes", "1048576", "ao.max-answer-bytes", "1048576",
                "cache.enabled", "false"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @AfterEach
    void heal() {
        gateway.simulator().reset();
    }

    @Test
    void node_answer_past_its_bound_fails_over_to_the_dryrun() {
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.hugeBody());

        HttpResponse<String> answer = gateway.get("/api/skills/cron");

        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("dryrun", GatewayHarness.source(answer));
        assertTrue(metrics().contains("registry_upstream_seconds_count{outcome=\"failure\",tier=\"hyperbeam\"}"),
                "the node's answer counted as a failure");
        assertReadNoFurther(Upstream.HYPERBEAM);
    }

    @Test
    void compute_unit_answer_past_its_bound_is_a_failure_too() {
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.status(500));
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).inject(Fault.hugeBody());

        HttpResponse<String> answer = gateway.get("/api/skills/dao");

        assertEquals(503, answer.statusCode(), answer.body());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElse(""));
        assertTrue(metrics().contains("registry_upstream_seconds_count{outcome=\"failure\",tier=\"dryrun\"}"),
                "the compute unit's answer counted as a failure");
        assertReadNoFurther(Upstream.COMPUTE_UNIT);
    }

    // what the sockets took beyond the bound is their buffers' worth, not the 64 MB sent
    private static void assertReadNoFurther(Upstream upstream) {
        long sent = gateway.simulator().faults(upstream).hugeBodyBytesSent();
        assertTrue(sent < 16L << 20, upstream + " sent " + sent + " bytes of its huge body");
    }

    private static String metrics() {
        return gateway.management("/observe/metrics").body();
    }
}
