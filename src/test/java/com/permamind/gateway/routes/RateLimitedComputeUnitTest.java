package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.simulator.DryRunClient;
import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HyperBEAM out, and a compute unit with the real per-address limit (6 dry-runs a minute, 429
 * beyond; contract section 5): the gateway never asks it for more, serves what it cached before,
 * answers searches, lists, info and latest records from one snapshot, and refuses the rest with 503
 * and Retry-After, never another 5xx.
 */
class RateLimitedComputeUnitTest {

    private static final int DRYRUNS_PER_MINUTE = 6;
    private static final RegistryFixture FIXTURE = RegistryFixture.load();

    private GatewayHarness gateway;

    @BeforeEach
    void start() {
        // answers are fresh for a second, then only good as stale: the outage finds them all expired
        gateway = GatewayHarness.start(Map.of("cache.ttl-seconds", "1", "cache.ttl-seconds.info", "1",
                "cache.ttl-seconds.get-download-stats", "1", "cache.ttl-seconds.get-registry-download-stats", "1"));
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void should_answer_a_burst_of_a_thousand_distinct_reads_within_six_dry_runs_a_minute() throws Exception {
        List<String> cachedBefore = List.of("/api/skills/semver-order/versions", "/api/skills/semver-order/downloads",
                "/api/skills/search?q=claude", "/api/stats/downloads?timeRange=7", "/api/skills?author=alice");
        for (String read : cachedBefore) {
            assertEquals(200, gateway.get(read).statusCode(), read);
        }
        Thread.sleep(1_500);
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.connectionRefused());
        gateway.simulator().resetCounters();
        Reads reads = thousandDistinctReads(cachedBefore);
        long started = System.nanoTime();

        Map<String, HttpResponse<String>> answers = readAll(reads.all(), 16);

        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        long dryruns = gateway.simulator().calls(Upstream.COMPUTE_UNIT).values().stream().mapToLong(Long::longValue).sum();
        assertTrue(dryruns <= DRYRUNS_PER_MINUTE * (1 + seconds / 60),
                dryruns + " dry-runs in " + seconds + " s: " + gateway.simulator().calls(Upstream.COMPUTE_UNIT));
        for (String read : cachedBefore) {
            assertEquals(200, answers.get(read).statusCode(), read + " was cached before the outage");
        }
        for (String read : reads.fromSnapshot()) {
            assertEquals(200, answers.get(read).statusCode(), read + ": " + answers.get(read).body());
        }
        for (String read : reads.unknown()) {
            assertEquals(404, answers.get(read).statusCode(), read + ": " + answers.get(read).body());
        }
        int refused = 0;
        for (Map.Entry<String, HttpResponse<String>> answer : answers.entrySet()) {
            int status = answer.getValue().statusCode();
            assertTrue(status == 200 || status == 404 || status == 503, answer.getKey() + " answered " + status);
            if (status == 503) {
                refused++;
                long retryAfter = Long.parseLong(answer.getValue().headers().firstValue("Retry-After").orElse("0"));
                assertTrue(retryAfter >= 1 && retryAfter <= 61, answer.getKey() + " Retry-After " + retryAfter);
            }
        }
        assertTrue(refused > 0, "nothing needed more dry-runs than the budget holds: nothing was tested");
    }

    @Test
    void should_keep_off_a_compute_unit_that_answered_429_for_its_minute() {
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.connectionRefused());
        // another client on the gateway's address (one outbound address: a NAT, a second gateway)
        // spent the compute unit's six dry-runs of this minute
        for (int i = 0; i < DRYRUNS_PER_MINUTE; i++) {
            assertEquals(200, new DryRunClient(gateway.simulator()).send(Map.of("Action", "Get-Skill", "Name", "elsewhere-" + i))
                    .statusCode());
        }

        HttpResponse<String> refused = gateway.get("/api/skills/search?q=ao");
        gateway.simulator().resetCounters();
        HttpResponse<String> next = gateway.get("/api/skills/search?q=claude");

        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals(503, next.statusCode(), next.body());
        long retryAfter = Long.parseLong(next.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retryAfter > 50 && retryAfter <= 61, "the rest of the compute unit's minute: " + retryAfter);
        assertEquals(Map.of(), gateway.simulator().calls(Upstream.COMPUTE_UNIT), "no dry-run while it asked for a pause");
        String health = gateway.management("/observe/health/ready?data=true").body();
        assertTrue(health.contains("\"dryrun.breaker\":\"OPEN\""), health);
    }

    private Map<String, HttpResponse<String>> readAll(List<String> reads, int atOnce) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(atOnce);
        try {
            Map<String, Future<HttpResponse<String>>> pending = new LinkedHashMap<>();
            for (String read : reads) {
                pending.put(read, clients.submit(() -> gateway.get(read)));
            }
            Map<String, HttpResponse<String>> answers = new LinkedHashMap<>();
            for (Map.Entry<String, Future<HttpResponse<String>>> read : pending.entrySet()) {
                answers.put(read.getKey(), read.getValue().get(60, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            clients.shutdownNow();
        }
    }

    private record Reads(List<String> fromSnapshot, List<String> perSkill, List<String> unknown, List<String> cachedBefore) {

        List<String> all() {
            Set<String> all = new LinkedHashSet<>(cachedBefore);
            all.addAll(perSkill);
            all.addAll(unknown);
            all.addAll(fromSnapshot);
            return List.copyOf(all);
        }
    }

    // searches, list pages, info and latest records (the snapshot's), then versions, version lists and
    // per-skill stats (a dry-run each), and unknown skills, up to 1,000 distinct reads in all
    private static Reads thousandDistinctReads(List<String> cachedBefore) {
        List<String> perSkill = new ArrayList<>();
        List<String> snapshot = new ArrayList<>(List.of("/api/info"));
        FIXTURE.skills().properties().forEach(skill -> {
            String name = URLEncoder.encode(skill.getKey(), StandardCharsets.UTF_8);
            snapshot.add("/api/skills/" + name);
            perSkill.add("/api/skills/" + name + "/versions");
            perSkill.add("/api/skills/" + name + "/downloads?timeRange=30");
            JsonNode versions = skill.getValue().path("versions");
            versions.fieldNames().forEachRemaining(version -> perSkill.add("/api/skills/" + name + "?version=" + version));
        });
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            unknown.add("/api/skills/no-such-skill-" + i);
        }
        for (int limit = 1; limit <= 20; limit++) {
            for (int offset = 0; offset < 10; offset++) {
                snapshot.add("/api/skills?limit=" + limit + "&offset=" + offset);
            }
        }
        int needed = 1_000 - perSkill.size() - unknown.size() - snapshot.size() - cachedBefore.size();
        for (int i = 0; i < needed; i++) {
            snapshot.add("/api/skills/search?q=term-" + i);
        }
        return new Reads(snapshot, perSkill, unknown, cachedBefore);
    }
}
