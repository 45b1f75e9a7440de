package com.permamind.gateway.arweave;

import com.permamind.gateway.ans104.Sha256;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.arweave.ModuleDrift.Status;
import com.permamind.gateway.lua.RegistryModule;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LuaModuleDriftCheckTest {

    private static final String MODULE_ID = "3C0y01p2eRImbmpuv1mDxjrrAd45ruqUMQaKkRRo0kU";
    private static final Instant NOW = Instant.parse("2025-11-22T13:10:00Z");
    private static final byte[] LOCAL = RegistryModule.load().source();

    private final StandInArweaveGateway arweave = new StandInArweaveGateway();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void stopGateway() {
        arweave.close();
    }

    @Test
    void should_be_ok_when_arweave_serves_the_local_module() {
        arweave.serve(MODULE_ID, LOCAL);

        ModuleDrift result = driftCheck(arweave.url()).check();

        assertEquals(new ModuleDrift(Status.OK, MODULE_ID, Sha256.hex(LOCAL), Sha256.hex(LOCAL), NOW,
            "Arweave serves the local module"), result);
        assertEquals(0.0, gauge());
    }

    @Test
    void should_warn_and_raise_the_gauge_when_the_published_module_differs() {
        byte[] older = Arrays.copyOf(LOCAL, LOCAL.length - 1);
        arweave.serve(MODULE_ID, older);
        LuaModuleDriftCheck check = driftCheck(arweave.url());

        String log = stderrOf(check::check);

        ModuleDrift result = check.lastResult();
        assertEquals(Status.DRIFT, result.status());
        assertEquals(Sha256.hex(older), result.remoteSha256());
        assertEquals(Sha256.hex(LOCAL), result.localSha256());
        assertEquals(1.0, gauge());
        assertTrue(log.contains("WARN"), log);
        assertTrue(log.contains("Lua module drift: " + arweave.url() + "/raw/" + MODULE_ID + " serves sha256 "
            + Sha256.hex(older)), log);
    }

    @Test
    void should_report_an_unreachable_gateway_without_throwing() {
        URI closed = arweave.url();
        arweave.close();

        ModuleDrift result = driftCheck(closed).check();

        assertEquals(Status.UNREACHABLE, result.status());
        assertTrue(result.detail().startsWith(closed + "/raw/" + MODULE_ID + " unreachable: "), result.detail());
        assertNull(result.remoteSha256());
        assertEquals(NOW, result.checkedAt());
        assertTrue(Double.isNaN(gauge()), "nothing compared yet");
    }

    @Test
    void should_report_a_slow_gateway_as_unreachable() {
        arweave.serve(MODULE_ID, LOCAL);
        arweave.delay(Duration.ofSeconds(3));
        LuaModuleDriftCheck check = new LuaModuleDriftCheck(arweave.url(), MODULE_ID, LOCAL, meters,
            Duration.ofMillis(300), Clock.fixed(NOW, ZoneOffset.UTC));

        ModuleDrift result = check.check();

        assertEquals(Status.UNREACHABLE, result.status());
        assertTrue(result.detail().contains("HttpTimeoutException"), result.detail());
    }

    @Test
    void should_report_an_answer_past_its_bound_as_unreachable_without_reading_it() {
        arweave.serve(MODULE_ID, new byte[2 << 20]);
        LuaModuleDriftCheck check = new LuaModuleDriftCheck(arweave.url(), MODULE_ID, LOCAL, meters,
                Duration.ofSeconds(2), 1 << 20, java.time.Clock.systemUTC());

        ModuleDrift result = check.check();

        assertEquals(ModuleDrift.Status.UNREACHABLE, result.status());
        assertTrue(result.detail().contains("larger than 1048576 bytes"), result.detail());
    }

    @Test
    void should_report_a_module_the_gateway_does_not_have() {
        ModuleDrift result = driftCheck(arweave.url()).check();

        assertEquals(Status.UNREACHABLE, result.status());
        assertEquals(arweave.url() + "/raw/" + MODULE_ID + " answered HTTP 404", result.detail());
    }

    @Test
    void should_keep_the_last_comparison_in_the_gauge_while_unreachable() {
        arweave.serve(MODULE_ID, "return {}".getBytes(UTF_8));
        LuaModuleDriftCheck check = driftCheck(arweave.url());
        stderrOf(check::check);
        arweave.failWith(503);

        ModuleDrift result = check.check();

        assertEquals(Status.UNREACHABLE, result.status());
        assertEquals(1.0, gauge());
    }

    @Test
    void should_say_not_checked_before_the_first_check() {
        LuaModuleDriftCheck check = driftCheck(arweave.url());

        assertEquals(Status.NOT_CHECKED, check.lastResult().status());
        assertEquals("{status=NOT_CHECKED, moduleId=" + MODULE_ID + ", localSha256=" + Sha256.hex(LOCAL)
            + ", detail=not checked yet}", check.lastResult().details().toString());
        assertTrue(Double.isNaN(gauge()));
        assertTrue(check.lastCheck().isEmpty(), "nothing for the readiness details before the first check");
    }

    @Test
    void should_give_health_details_of_the_last_result() {
        arweave.serve(MODULE_ID, LOCAL);
        LuaModuleDriftCheck check = driftCheck(arweave.url());
        check.check();

        assertEquals("{status=OK, moduleId=" + MODULE_ID + ", localSha256=" + Sha256.hex(LOCAL) + ", remoteSha256="
            + Sha256.hex(LOCAL) + ", checkedAt=2025-11-22T13:10:00Z, detail=Arweave serves the local module}",
            check.lastResult().details().toString());
    }

    @Test
    void should_fetch_nothing_and_register_no_gauge_without_a_module_id() {
        LuaModuleDriftCheck check = new LuaModuleDriftCheck(arweave.url(), "", LOCAL, meters, Duration.ofSeconds(2),
            Clock.fixed(NOW, ZoneOffset.UTC));

        ModuleDrift result = check.check();

        assertEquals(Status.NOT_CHECKED, result.status());
        assertTrue(result.detail().startsWith("no module id"), result.detail());
        assertEquals(0, arweave.requests());
        assertTrue(check.lastCheck().isEmpty(), "nothing for the readiness details");
        assertNull(meters.find(LuaModuleDriftCheck.GAUGE).gauge());
    }

    @Test
    void should_refuse_a_module_id_that_is_not_an_arweave_id() {
        assertThrows(IllegalArgumentException.class,
            () -> new LuaModuleDriftCheck(arweave.url(), "../etc/passwd", LOCAL, meters));
    }

    private LuaModuleDriftCheck driftCheck(URI gateway) {
        return new LuaModuleDriftCheck(gateway, MODULE_ID, LOCAL, meters, Duration.ofSeconds(2),
            Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private double gauge() {
        return meters.get(LuaModuleDriftCheck.GAUGE).tag("module", MODULE_ID).tag("gateway", "127.0.0.1")
            .gauge().value();
    }

    // slf4j-simple writes to whatever System.err is at the time of the call.
    private static String stderrOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(UTF_8);
    }
}
