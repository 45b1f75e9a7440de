package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.DryRunLimits;
import com.permamind.gateway.support.GatewayHarness;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whichever tier answers, the frontend sees the same bytes: one gateway reads HyperBEAM, the
 * other has no reachable node and answers every read by dryrun, over the same process state.
 */
class TierEquivalenceTest {

    private static RegistrySimulator simulator;
    private static GatewayHarness overHyperbeam;
    private static GatewayHarness overDryrun;

    @BeforeAll
    static void start() {
        simulator = GatewayHarness.startSimulator(DryRunLimits.Settings.UNLIMITED);
        overHyperbeam = GatewayHarness.start(simulator, GatewayHarness.withOwnComputeUnit(Map.of()));
        overDryrun = GatewayHarness.start(simulator, GatewayHarness.withOwnComputeUnit(Map.of("hyperbeam.nodes", "http://127.0.0.1:9")));
    }

    @AfterAll
    static void stop() {
        overHyperbeam.close();
        overDryrun.close();
        simulator.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/api/info",
        "/api/skills/search?q=ao", "/api/skills/search", "/api/skills/search?q=AO&limit=5&offset=2",
        "/api/skills/search?q=%E6%97%A5%E6%9C%AC%E8%AA%9E", "/api/skills/search?q=nothing-matches",
        "/api/skills/search?offset=1000", "/api/skills/search?q=%20cache%20&limit=100",
        "/api/skills", "/api/skills?limit=100", "/api/skills?author=grace%20hopper", "/api/skills?tags=ao,beginner",
        "/api/skills?name=BUNDLER&limit=3", "/api/skills?offset=39", "/api/skills?tags=ao&author=AO%20Team",
        "/api/skills/semver-order", "/api/skills/semver-order?version=1.10.0", "/api/skills/legacy-seconds",
        "/api/skills/unicode_skill.v2", "/api/skills/ghost", "/api/skills/semver-order?version=9.9.9",
        "/api/skills/semver-order/versions", "/api/skills/cron/versions", "/api/skills/ghost/versions",
        "/api/skills/window-edges/downloads", "/api/skills/window-edges/downloads?timeRange=7",
        "/api/skills/semver-order/downloads?version=1.9.0&timeRange=30", "/api/skills/cron/downloads",
        "/api/skills/ghost/downloads", "/api/skills/semver-order/downloads?version=9.9.9",
        "/api/stats/downloads", "/api/stats/downloads?timeRange=7", "/api/stats/downloads?timeRange=30"})
    void should_answer_byte_identical_bodies_from_hyperbeam_and_from_dryrun(String path) {
        HttpResponse<String> fromHyperbeam = overHyperbeam.get(path);
        HttpResponse<String> fromDryrun = overDryrun.get(path);

        assertEquals("hyperbeam", fromHyperbeam.headers().firstValue("X-Registry-Source").orElse(null),
                () -> fromHyperbeam.statusCode() + " " + fromHyperbeam.body());
        assertEquals("dryrun", fromDryrun.headers().firstValue("X-Registry-Source").orElse(null),
                () -> fromDryrun.statusCode() + " " + fromDryrun.body());
        assertEquals(fromHyperbeam.statusCode(), fromDryrun.statusCode());
        assertEquals(fromHyperbeam.headers().firstValue("Content-Type"), fromDryrun.headers().firstValue("Content-Type"));
        assertEquals(fromHyperbeam.body(), fromDryrun.body());
    }
}
