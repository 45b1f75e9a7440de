package com.permamind.gateway.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.dev.LocalCluster;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.Upstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The suite's scale-out step (issue 29, docs/scale-out.md): the realistic mix through HAProxy
 * against one gateway, then against two, in the same run, each cluster started fresh (JVMs and
 * caches cold) on the suite's upstreams, as the image starts the gateway. Per cluster: a JIT warm-up
 * on keys the mix never asks, then the mix (1,000 clients with think time, cold mix keys): throughput,
 * p50/p99, the hit rate overall and per gateway, the node reads the caches let through (each
 * gateway's cache sees a key for the first time once), and the CPU of each gateway and of HAProxy
 * per request. On a machine of 2 cores a second gateway adds no CPU: the step shows the cost of
 * the second instance and of the load balancer, not a speed-up.
 */
final class ScaleOutStep {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    private final Path root;
    private final Path work;
    private final RegistrySimulator simulator;
    private final EmbeddedKafka kafka;
    private final UpstreamCalls upstreamCalls;
    private final RequestLists lists;
    private final Wrk wrk;
    private final LocalCluster.Launch launch;
    private final boolean quick;

    ScaleOutStep(Path root, Path work, RegistrySimulator simulator, EmbeddedKafka kafka, UpstreamCalls upstreamCalls,
            RequestLists lists, Wrk wrk, Path gatewayLauncher, Path gatewayApp, List<String> javaOptions, boolean quick) {
        this.root = root;
        this.work = work;
        this.simulator = simulator;
        this.kafka = kafka;
        this.upstreamCalls = upstreamCalls;
        this.lists = lists;
        this.wrk = wrk;
        this.quick = quick;
        List<String> options = new ArrayList<>(javaOptions);
        // as the suite's own gateway: empty = the system clock (PerformanceSuite#startGateway says why)
        options.add("-Dgateway.clock-pinned-at=");
        this.launch = LocalCluster.Launch.image(gatewayLauncher, gatewayApp,
                Map.of("GATEWAY_JAVA_OPTIONS", String.join(" ", options)));
    }

    void run(ObjectNode result) throws Exception {
        int warmSeconds = quick ? 3 : 20;
        int measureSeconds = quick ? 6 : 30;
        result.put("connections", 1000);
        result.put("thinkMillis", PerformanceSuite.MIX_THINK_MILLIS);
        result.put("seconds", measureSeconds);
        result.put("warmUpSecondsPerGateway", warmSeconds);
        result.put("balance", "reads round-robin (ops/haproxy/haproxy.cfg)");
        for (int gateways : new int[] {1, 2}) {
            result.set("gateways" + gateways, cluster(gateways, warmSeconds, measureSeconds));
        }
        ObjectNode one = (ObjectNode) result.get("gateways1");
        ObjectNode two = (ObjectNode) result.get("gateways2");
        result.put("throughputRatio", ratio(two.at("/run/rps").asDouble(), one.at("/run/rps").asDouble()));
        result.put("p99Ratio", ratio(two.at("/run/p99").asDouble(), one.at("/run/p99").asDouble()));
        result.put("gatewayCpuPerRequestRatio", ratio(two.path("gatewayCpuMicrosPerRequest").asDouble(),
                one.path("gatewayCpuMicrosPerRequest").asDouble()));
        result.put("extraNodeReads", two.path("nodeReads").asLong() - one.path("nodeReads").asLong());
        result.put("nodeReadsRatio", ratio(two.path("nodeReads").asDouble(), one.path("nodeReads").asDouble()));
        result.put("loadAverageEnd", ProcStats.loadAverage());
    }

    private ObjectNode cluster(int gateways, int warmSeconds, int measureSeconds) throws Exception {
        ObjectNode out = PerformanceSuite.JSON.createObjectNode();
        Map<String, String> settings = new LinkedHashMap<>();
        // reads only: the forwarder would sign the backlog the download-events step left on the topic
        settings.put("DOWNLOAD_EVENTS_FORWARDER_ENABLED", "false");
        PerformanceSuite.log("scale-out: %d gateway(s) behind HAProxy", gateways);
        hyperbeamLatency(PerformanceSuite.HYPERBEAM_MILLIS);
        dryrunLatency(PerformanceSuite.DRYRUN_MILLIS);
        long started = System.nanoTime();
        try (LocalCluster cluster = LocalCluster.start(root, work.resolve("cluster-" + gateways), simulator, kafka, gateways,
                launch, settings, 0)) {
            out.put("startMillis", (System.nanoTime() - started) / 1_000_000);
            // JIT warm-up on keys the mix never asks for, as long per gateway as with one
            run(cluster, new Wrk.Spec("scale-out " + gateways + " warm-up", "paths.lua", cluster.url(""), 16,
                    warmSeconds * gateways, 10, lists.warmUp.gateway(), false, 0), false);
            Map<String, long[]> cacheBefore = cacheGets(cluster);
            long nodeReadsBefore = upstreamCalls.total(Upstream.HYPERBEAM);
            ObjectNode run = run(cluster, new Wrk.Spec("scale-out " + gateways + " mix", "paths.lua", cluster.url(""), 1000,
                    measureSeconds, 10, lists.mix, false, 0).thinking(PerformanceSuite.MIX_THINK_MILLIS), true);
            out.put("nodeReads", upstreamCalls.total(Upstream.HYPERBEAM) - nodeReadsBefore);
            Map<String, long[]> cacheAfter = cacheGets(cluster);
            ObjectNode perGateway = out.putObject("perGateway");
            for (LocalCluster.Gateway gateway : cluster.gateways()) {
                long[] before = cacheBefore.get(gateway.name());
                long[] after = cacheAfter.get(gateway.name());
                long hits = after[0] - before[0];
                long misses = after[1] - before[1];
                ObjectNode g = perGateway.putObject(gateway.name());
                // Caffeine's own counts of lookups, not of answers: a miss is looked up more than once
                // and the cache front answers hits before the cache is asked; the answers' hit rate
                // is the run's (X-Registry-Source)
                g.put("caffeineGetHits", hits);
                g.put("caffeineGetMisses", misses);
                g.put("cores", run.at("/cpuCores/" + gateway.name()).asDouble());
                g.put("rssMiB", ProcStats.round(ProcStats.rssMib(gateway.pid())));
            }
            out.set("run", summary(run));
            out.put("hitRate", PerformanceSuite.hitRate(run));
            out.set("sources", run.path("sources"));
            out.set("statuses", run.path("statuses"));
            out.set("cpuCores", run.path("cpuCores"));
            double requests = run.path("requests").asDouble();
            double seconds = run.path("durationSec").asDouble();
            double gatewayCores = 0;
            for (LocalCluster.Gateway gateway : cluster.gateways()) {
                gatewayCores += run.at("/cpuCores/" + gateway.name()).asDouble();
            }
            out.put("gatewayCores", ProcStats.round(gatewayCores));
            out.put("gatewayCpuMicrosPerRequest", requests == 0 ? Double.NaN
                    : ProcStats.round(gatewayCores * seconds * 1e6 / requests));
            out.put("haproxyCpuMicrosPerRequest", requests == 0 ? Double.NaN
                    : ProcStats.round(run.at("/cpuCores/haproxy").asDouble() * seconds * 1e6 / requests));
            out.put("loadAverage", ProcStats.loadAverage());
        }
        return out;
    }

    /** One wrk run through the load balancer, with the CPU of each gateway, HAProxy, this JVM and wrk. */
    private ObjectNode run(LocalCluster cluster, Wrk.Spec spec, boolean log) throws Exception {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (LocalCluster.Gateway gateway : cluster.gateways()) {
            pids.put(gateway.name(), gateway.pid());
        }
        pids.put("haproxy", cluster.haproxyPid());
        pids.put("harness", ProcessHandle.current().pid());
        List<String> ours = new ArrayList<>(pids.keySet());
        ProcStats.Window cpu = ProcStats.start(pids);
        Wrk.Running running = wrk.start(spec);
        cpu.track("wrk", running.pid());
        ours.add("wrk");
        try {
            long end = System.nanoTime() + spec.seconds() * 1_000_000_000L;
            while (System.nanoTime() < end - 300_000_000L) {
                cpu.sample();
                Thread.sleep(250);
            }
            ObjectNode report = running.await();
            ObjectNode cores = report.putObject("cpuCores");
            cpu.stop(ours).forEach(cores::put);
            if (log) {
                PerformanceSuite.log("  %-28s %8.0f req/s  p50 %8.2f ms  p99 %8.2f ms  errors %d/%d  sources %s  cores %s",
                        spec.label(), report.path("rps").asDouble(), report.at("/latencyMs/p50").asDouble(),
                        report.at("/latencyMs/p99").asDouble(), Wrk.allErrors(report), report.path("requests").asLong(),
                        report.path("sources"), cores);
            }
            return report;
        } finally {
            running.kill();
        }
    }

    private static ObjectNode summary(ObjectNode run) {
        ObjectNode summary = PerformanceSuite.JSON.createObjectNode();
        summary.put("rps", run.path("rps").asDouble());
        summary.put("p50", run.at("/latencyMs/p50").asDouble());
        summary.put("p99", run.at("/latencyMs/p99").asDouble());
        summary.put("requests", run.path("requests").asLong());
        summary.put("errors", Wrk.allErrors(run));
        summary.put("timeouts", Wrk.timeouts(run));
        return summary;
    }

    /** Each gateway's response cache counters from its /observe/metrics: [hits, misses]. */
    private static Map<String, long[]> cacheGets(LocalCluster cluster) throws IOException, InterruptedException {
        Map<String, long[]> gets = new LinkedHashMap<>();
        for (LocalCluster.Gateway gateway : cluster.gateways()) {
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.managementUrl("/observe/metrics")))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            long[] counts = new long[2];
            for (String line : metrics.lines().toList()) {
                if (line.startsWith("cache_gets_total{") && line.contains("cache=\"registry-responses\"")) {
                    long value = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    if (line.contains("result=\"hit\"")) {
                        counts[0] += value;
                    } else if (line.contains("result=\"miss\"")) {
                        counts[1] += value;
                    }
                }
            }
            gets.put(gateway.name(), counts);
        }
        return gets;
    }

    private void hyperbeamLatency(long millis) {
        simulator.faults(Upstream.HYPERBEAM).inject(com.permamind.gateway.simulator.Fault.latency(millis, 0));
    }

    private void dryrunLatency(long millis) {
        simulator.faults(Upstream.COMPUTE_UNIT).inject(com.permamind.gateway.simulator.Fault.latency(millis, 0));
    }

    private static double ratio(double a, double b) {
        return b == 0 ? Double.NaN : ProcStats.round(a / b);
    }
}
