package com.permamind.gateway.arweave;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * routes/lua-module-drift.yaml in the running gateway: its timer checks the published module at
 * start, and the outcome reaches the metrics and the readiness details; switched off, it fetches
 * nothing.
 */
class LuaModuleDriftRouteTest {

    private static final String ROUTE = "lua-module-drift";

    private final StandInArweaveGateway arweave = new StandInArweaveGateway();
    private GatewayHarness gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        arweave.close();
    }

    @Test
    void should_check_the_published_module_at_start_then_once_a_period_and_report_drift() throws Exception {
        RegistrySimulator simulator = GatewayHarness.startSimulator();
        String moduleId = simulator.moduleId();
        arweave.serve(moduleId, "return { stale = true }".getBytes(UTF_8));

        gateway = GatewayHarness.start(simulator, Map.of(
            "arweave.drift-check-enabled", "true", "arweave.gateway-url", arweave.url().toString()));

        assertEquals(ServiceStatus.Started, gateway.context().getRouteController().getRouteStatus(ROUTE));
        await("/observe/metrics", body -> body.lines().anyMatch(line -> line.startsWith("registry_lua_module_drift{")
            && line.contains("module=\"" + moduleId + "\"") && line.endsWith(" 1.0")));
        String details = await("/observe/health/ready?data=true", body -> body.contains("\"lua.module\""));
        assertTrue(details.replace(" ", "").contains("\"lua.module\":\"DRIFT\""), details);
        Thread.sleep(500);
        assertEquals(1, arweave.requests(), "one check at start, the next one a period (60 minutes) later");
    }

    @Test
    void should_fetch_nothing_when_switched_off() throws Exception {
        gateway = GatewayHarness.start(GatewayHarness.startSimulator(), Map.of(
            "arweave.drift-check-enabled", "false", "arweave.gateway-url", arweave.url().toString()));

        assertEquals(ServiceStatus.Stopped, gateway.context().getRouteController().getRouteStatus(ROUTE));
        HttpResponse<String> ready = gateway.management("/observe/health/ready?data=true");
        assertEquals(200, ready.statusCode(), ready.body());
        assertFalse(ready.body().contains("lua.module"), ready.body());
        assertEquals(0, arweave.requests());
    }

    // the management answer once it satisfies the condition, within 10 s
    private String await(String path, Predicate<String> condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        String body = gateway.management(path).body();
        while (!condition.test(body) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            body = gateway.management(path).body();
        }
        assertTrue(condition.test(body), path + " never showed it:\n" + body);
        return body;
    }
}
