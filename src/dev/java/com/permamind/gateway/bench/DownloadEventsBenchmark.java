package com.permamind.gateway.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.GatewayApplication;
import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.LuaStateMode;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.SimulatorConfig;
import com.permamind.gateway.simulator.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * POST /api/skills/{name}/downloads under load, everything in this process but the load generator:
 * an embedded Kafka broker, the simulated HyperBEAM node (whose push answers after a set time, 300 ms
 * by default, as a remote node does) and the gateway, signing each message (RSA-4096).
 * Prints one table:
 * <ol>
 * <li>baseline: a bare Kafka producer (acks=all, idempotent) with one thread per connection, each
 * waiting for its acknowledgement, as the gateway does: the ceiling the broker sets;</li>
 * <li>accepted events/s and latency through the gateway with wrk at N connections, the forwarder
 * stopped, so the figures are the POST path's;</li>
 * <li>the forwarder alone draining what that left on the topic;</li>
 * <li>both at once, as in production;</li>
 * <li>how long the burst of the last phase takes to drain, and the forwarder's lag gauge then;</li>
 * <li>the forwarder's end-to-end lag (POST sent to the process taking its message) at a fixed rate
 * the forwarder can sustain.</li>
 * </ol>
 * Each phase also shows the CPU time per event of everything that took part, which, unlike rates on
 * a machine shared with other work, does not depend on what else runs.
 * Traffic stays on 127.0.0.1 and every phase is bounded in time. Run with bench/download-events.
 */
public final class DownloadEventsBenchmark {

    private static final String TOPIC = "registry.download-events";
    private static final String FORWARDER = "download-forwarder";
    private static final String FORWARDER_GROUP = "registry-gateway.download-forwarder";
    private static final List<String> SKILLS = List.of("bundler", "cron", "dao", "bridge-cache", "crypto-signing",
            "bundler-token");
    /**
     * Warm-up runs in rounds of this many seconds until the JIT compiler has settled: it compiled for
     * less than {@link #JIT_SETTLED_SHARE} of a round's time. On this machine the gateway, broker and
     * simulator in one JVM keep the compiler busy for about a minute of load, during which the same
     * POST costs several times the CPU it costs later.
     */
    private static final int WARMUP_ROUND_SECONDS = 5;
    private static final double JIT_SETTLED_SHARE = 0.10;
    private static final int WARMUP_MAX_SECONDS = 150;
    private static final long DRAIN_TIMEOUT_MS = 120_000;
    private static final int LAG_SENDERS = 32;
    private static final AtomicLong BASELINE_RUNS = new AtomicLong();

    private DownloadEventsBenchmark() {
    }

    /**
     * Notes when the simulated registry process first took each event's message (its data is the event
     * id). The simulator's logs (copy-on-write lists, which cost more to extend the longer they get)
     * are emptied every 100 ms, so that watching costs the system under test nothing that grows with
     * the run.
     */
    private static final class Deliveries implements AutoCloseable {
        private final Map<String, Long> firstSeenNanos = new ConcurrentHashMap<>();
        private volatile Thread thread;

        void watch(RegistrySimulator simulator) {
            simulator.onMessage(message -> seen(message.data(), System.nanoTime()));
            thread = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    simulator.resetCounters();
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "delivery-watcher");
            thread.setDaemon(true);
            thread.start();
        }

        void seen(String eventId, long nanos) {
            if (eventId != null) {
                firstSeenNanos.putIfAbsent(eventId, nanos);
            }
        }

        long distinct() {
            return firstSeenNanos.size();
        }

        Long seenAt(String eventId) {
            return firstSeenNanos.get(eventId);
        }

        /** Waits until {@code expected} distinct events have been seen; returns how many were. */
        long awaitAtLeast(long expected, long timeoutMs) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (distinct() < expected && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            return distinct();
        }

        @Override
        public void close() {
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        // before any logger exists: the table, not the logs
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        int seconds = intArg(args, 0, 15);
        int connections = intArg(args, 1, 64);
        int lagRate = intArg(args, 2, 200);
        int partitions = intArg(args, 3, 1);
        int pushMillis = intArg(args, 4, 300);
        String script = Path.of("bench/download-events.lua").toAbsolutePath().toString();
        String loadBefore = loadAverage();

        EmbeddedKafka kafka = EmbeddedKafka.start();
        SimulatorConfig.Builder node = SimulatorConfig.builder(RegistryFixture.defaultPath())
                .pinNowToStateFile().luaState(LuaStateMode.DECODED);
        Deliveries deliveries = new Deliveries();
        RegistrySimulator simulator = new RegistrySimulator(node.build()).start();
        // a node that takes the message at once and answers the push after this long
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.latency(pushMillis, 0));
        Main gateway = null;
        List<String[]> rows = new ArrayList<>();
        List<String> warmUps = new ArrayList<>();
        long backlog;
        try {
            kafka.createTopic(TOPIC, partitions);
            kafka.createTopic(TOPIC + ".dlq", 1);
            // the baseline before and after the gateway's phases, as the machine's load drifts
            Baseline baselineBefore = kafkaBaseline(kafka, connections, seconds, warmUps);
            rows.add(baselineBefore.row("baseline: Kafka producer, " + connections + " threads"));

            int port = freePort();
            gateway = startGateway(simulator, kafka, port, partitions);
            String url = "http://127.0.0.1:" + port;
            deliveries.watch(simulator);

            // the POST path and the forwarder both, until the JIT has compiled them; the forwarder then
            // skips what that left (far more than it can deliver in a phase: at thousands of POSTs per
            // second, one consumer calling the node once per event falls behind by design)
            warmUps.add("gateway " + warmUp(() -> wrk(url, script, connections, WARMUP_ROUND_SECONDS)));
            skipBacklog(gateway, kafka);

            // 1. the POST path alone: the forwarder route stopped, its events wait on the topic
            gateway.getCamelContext().getRouteController().stopRoute(FORWARDER);
            long onTopicBefore = countAccepted(kafka);
            double cpuBefore = processCpuMs();
            WrkResult alone = wrk(url, script, connections, seconds);
            double cpuAlone = processCpuMs() - cpuBefore + alone.cpuMs;
            Thread.sleep(500); // what wrk stopped waiting for is still accepted: count the topic
            long acceptedAlone = countAccepted(kafka) - onTopicBefore;
            rows.add(new String[] {"POST via gateway, wrk " + connections + " conn., forwarder off",
                    rate(alone.acceptedPerSecond), ms(alone.p50Ms), ms(alone.p99Ms), ms(alone.maxMs),
                    cpuPerEvent(cpuAlone, acceptedAlone), Long.toString(alone.errors)});

            // 2. the forwarder alone, draining what that left on the topic for one phase at most
            long deliveredBefore = deliveries.distinct();
            double cpuDrainBefore = processCpuMs();
            long drainStart = System.nanoTime();
            gateway.getCamelContext().getRouteController().startRoute(FORWARDER);
            long drainedAlone = deliveries.awaitAtLeast(deliveredBefore + acceptedAlone, seconds * 1000L)
                    - deliveredBefore;
            double drainAloneSeconds = (System.nanoTime() - drainStart) / 1e9;
            double cpuDrain = processCpuMs() - cpuDrainBefore;
            rows.add(new String[] {"forwarder alone, from a backlog of " + acceptedAlone,
                    rate(drainedAlone / drainAloneSeconds), "-", "-", "-", cpuPerEvent(cpuDrain, drainedAlone),
                    String.format(Locale.ROOT, "%,d left after %.0f s", acceptedAlone - drainedAlone, drainAloneSeconds)});
            skipBacklog(gateway, kafka);

            // 3. both at once, as in production
            deliveredBefore = deliveries.distinct();
            onTopicBefore = countAccepted(kafka);
            long before = System.nanoTime();
            cpuBefore = processCpuMs();
            WrkResult load = wrk(url, script, connections, seconds);
            double cpuLoad = processCpuMs() - cpuBefore + load.cpuMs;
            long deliveredDuring = deliveries.distinct() - deliveredBefore;
            double loadSeconds = (System.nanoTime() - before) / 1e9;
            Thread.sleep(500);
            long accepted = countAccepted(kafka) - onTopicBefore;
            backlog = accepted - (deliveries.distinct() - deliveredBefore);
            rows.add(new String[] {"POST via gateway, wrk " + connections + " conn., forwarder on",
                    rate(load.acceptedPerSecond), ms(load.p50Ms), ms(load.p99Ms), ms(load.maxMs),
                    cpuPerEvent(cpuLoad, accepted), Long.toString(load.errors)});
            rows.add(new String[] {"forwarder during that load", rate(deliveredDuring / loadSeconds),
                    "-", "-", "-", "-", String.format(Locale.ROOT, "%,d left", backlog)});
            // the burst drains: how long the forwarder takes to catch up, and its lag gauge then
            long drainFrom = System.nanoTime();
            long expected = deliveredBefore + accepted;
            long drained = deliveries.awaitAtLeast(expected, 6L * seconds * 1000L);
            double drainSeconds = (System.nanoTime() - drainFrom) / 1e9;
            Thread.sleep(500);
            double lagGauge = gateway.getCamelContext().getRegistry().findSingleByType(MeterRegistry.class)
                    .get("registry.forwarder.lag.seconds").gauge().value();
            rows.add(new String[] {"the burst drains", rate(Math.max(0, backlog - (expected - drained)) / drainSeconds),
                    "-", "-", "-", "-", String.format(Locale.ROOT, "%,d left after %.1f s; lag gauge then %.1f s",
                            expected - drained, drainSeconds, lagGauge)});
            skipBacklog(gateway, kafka);

            double cpuLagBefore = processCpuMs();
            LagResult lag = lagAtFixedRate(url, deliveries, lagRate, seconds);
            rows.add(new String[] {"POST via gateway at a fixed " + lagRate + "/s", rate(lag.sentPerSecond),
                    ms(lag.postP50Ms), ms(lag.postP99Ms), ms(lag.postMaxMs),
                    cpuPerEvent(processCpuMs() - cpuLagBefore, (long) lagRate * seconds), Long.toString(lag.postErrors)});
            rows.add(new String[] {"forwarder lag, POST sent -> process took it", rate(lag.deliveredPerSecond),
                    ms(lag.lagP50Ms), ms(lag.lagP99Ms), ms(lag.lagMaxMs), "-", lag.undelivered + " undelivered"});
            Baseline baselineAfter = kafkaBaseline(kafka, connections, seconds, warmUps);
            rows.add(baselineAfter.row("baseline again, after the gateway"));
            double baseline = (baselineBefore.perSecond + baselineAfter.perSecond) / 2;

            System.out.printf(Locale.ROOT, "%nDownload events benchmark: %d s per phase, %d connections, embedded Kafka "
                    + "(1 broker, topic of %d partition(s), acks=all, idempotent), simulated HyperBEAM (%s), %d cores%n"
                    + "machine load average (1, 5, 15 min) before: %s, after: %s (other processes share these cores)%n"
                    + "warm-up until the JIT compiled less than %.0f %% of the time: %s%n"
                    + "the forwarder skips the backlog a phase leaves (its group's offsets moved to the end) "
                    + "before the next one%n%n",
                    seconds, connections, partitions,
                    "push answered after " + pushMillis + " ms, Record-Download applied on arrival",
                    Runtime.getRuntime().availableProcessors(), loadBefore,
                    loadAverage(), JIT_SETTLED_SHARE * 100, String.join(", ", warmUps));
            System.out.printf(Locale.ROOT, "%-44s %10s %9s %9s %9s %11s  %s%n", "phase", "accepted/s", "p50 ms",
                    "p99 ms", "max ms", "CPU ms/ev", "errors");
            for (String[] row : rows) {
                System.out.printf(Locale.ROOT, "%-44s %10s %9s %9s %9s %11s  %s%n", (Object[]) row);
            }
            System.out.printf(Locale.ROOT, "%naccepted/s (202 answers) / bare producer (mean of its two runs, %,.0f/s): "
                    + "%.2f forwarder off, %.2f forwarder on%n", baseline, alone.acceptedPerSecond / baseline,
                    load.acceptedPerSecond / baseline);
            System.out.printf(Locale.ROOT, "issue 6 targets: >= 5,000 accepted/s at %d connections: %s (forwarder off), "
                    + "%s (on); forwarder lag p99 < 1 s: %s%n", connections,
                    met(alone.acceptedPerSecond >= 5000 && alone.errors == 0),
                    met(load.acceptedPerSecond >= 5000 && load.errors == 0),
                    met(lag.lagP99Ms < 1000 && lag.undelivered == 0 && lag.postErrors == 0));
            System.out.println("\nerrors: answers other than 202 (a 429 would mean the per-client limit was measured) and"
                    + "\nsocket errors. CPU ms/ev: CPU time of everything on the machine that took part (this JVM: gateway,"
                    + "\nbroker, forwarder, simulated node, Java load; plus wrk) per event; 1000 / it is what one idle core could do.");
        } finally {
            deliveries.close();
            if (gateway != null) {
                gateway.stop();
            }
            simulator.stop();
            kafka.stop();
        }
        // Kafka and Vert.x leave non-daemon threads behind
        System.exit(0);
    }

    record Baseline(double perSecond, String[] row) {
        String[] row(String label) {
            String[] labelled = row.clone();
            labelled[0] = label;
            return labelled;
        }
    }

    private static Baseline kafkaBaseline(EmbeddedKafka kafka, int threads, int seconds, List<String> warmUps)
            throws Exception {
        byte[] value = ("{\"schema\":1,\"eventId\":\"00000000-0000-4000-8000-000000000000\",\"type\":\"skill.downloaded\","
                + "\"skill\":\"bundler\",\"version\":null,\"occurredAt\":1763769600000,\"client\":{\"userAgent\":"
                + "\"wrk-bench\",\"ipHash\":\"" + "0".repeat(64) + "\"}}").getBytes(StandardCharsets.UTF_8);
        String topic = "baseline.events." + BASELINE_RUNS.incrementAndGet();
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1),
                new StringSerializer(), new ByteArraySerializer())) {
            warmUps.add("producer " + warmUp(() -> runFor(threads, WARMUP_ROUND_SECONDS,
                    () -> producer.send(new ProducerRecord<>(topic, "bundler", value)).get())));
            double cpuBefore = processCpuMs();
            Samples samples = runFor(threads, seconds,
                    () -> producer.send(new ProducerRecord<>(topic, "bundler", value)).get());
            double perSecond = samples.count() / (double) seconds;
            return new Baseline(perSecond, new String[] {"", rate(perSecond),
                    ms(samples.percentile(50)), ms(samples.percentile(99)), ms(samples.percentile(100)),
                    cpuPerEvent(processCpuMs() - cpuBefore, samples.count()), "0"});
        }
    }

    interface Call {
        void run() throws Exception;
    }

    /** Runs rounds of load until the JIT settles (at least two, at most {@link #WARMUP_MAX_SECONDS}); says how long. */
    private static String warmUp(Call round) throws Exception {
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long start = System.nanoTime();
        double share;
        int rounds = 0;
        do {
            long compiledBefore = jit.getTotalCompilationTime();
            long roundStart = System.nanoTime();
            round.run();
            share = (jit.getTotalCompilationTime() - compiledBefore) / ((System.nanoTime() - roundStart) / 1e6);
            rounds++;
        } while ((rounds < 2 || share >= JIT_SETTLED_SHARE)
                && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(WARMUP_MAX_SECONDS));
        return String.format(Locale.ROOT, "%.0f s%s", (System.nanoTime() - start) / 1e9,
                share < JIT_SETTLED_SHARE ? "" : " (JIT still busy: " + Math.round(share * 100) + " %)");
    }

    private static Samples runFor(int threads, int seconds, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Future<long[]>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            results.add(pool.submit(() -> {
                long[] nanos = new long[1024];
                int n = 0;
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    call.run();
                    if (n == nanos.length) {
                        nanos = Arrays.copyOf(nanos, n * 2);
                    }
                    nanos[n++] = System.nanoTime() - start;
                }
                return Arrays.copyOf(nanos, n);
            }));
        }
        Samples samples = new Samples();
        for (Future<long[]> result : results) {
            samples.addAll(result.get());
        }
        pool.shutdown();
        return samples;
    }

    private static Main startGateway(RegistrySimulator simulator, EmbeddedKafka kafka, int port, int partitions)
            throws InterruptedException {
        Main main = GatewayApplication.newMain();
        main.addOverrideProperty("camel.server.host", "127.0.0.1");
        main.addOverrideProperty("camel.server.port", Integer.toString(port));
        main.addOverrideProperty("hyperbeam.nodes", simulator.hyperbeamUrl());
        main.addOverrideProperty("ao.cu-url", simulator.cuUrl());
        main.addOverrideProperty("download-events.wallet-throwaway", "true");
        main.addOverrideProperty("registry.process-id", simulator.processId());
        main.addOverrideProperty("registry.lua-module-id", simulator.moduleId());
        main.addOverrideProperty("gateway.clock-pinned-at", Long.toString(RegistryFixture.load().now()));
        main.addOverrideProperty("kafka.bootstrap-servers", kafka.bootstrapServers());
        main.addOverrideProperty("download-events.client-hash-secret", "benchmark");
        // many clients, as behind a proxy: wrk and the lag senders give each request one of tens of
        // thousands of addresses, each posting well under the default per-client limit, which stays on
        main.addOverrideProperty("download-events.client-address-header", "X-Forwarded-For");
        main.addOverrideProperty("download-events.forwarder.consumers", Integer.toString(partitions));
        Thread thread = new Thread(() -> {
            try {
                main.run();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "gateway");
        thread.setDaemon(true);
        thread.start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (main.getCamelContext() == null || !main.getCamelContext().isStarted() || !answers(port)) {
            if (System.currentTimeMillis() > deadline || !thread.isAlive()) {
                throw new IllegalStateException("the gateway did not start");
            }
            Thread.sleep(50);
        }
        return main;
    }

    /** {@code accepted}: answers 202, the only 2xx the route gives; {@code errors}: every other answer or socket error. */
    record WrkResult(long requests, long accepted, double acceptedPerSecond, double p50Ms, double p99Ms, double maxMs,
            long errors, double cpuMs) {
    }

    private static WrkResult wrk(String url, String script, int connections, int seconds) throws Exception {
        // bash's times reports the CPU wrk used, so the table can show what one event costs in all
        Process wrk = new ProcessBuilder("bash", "-c", "wrk \"$@\" && times", "wrk", "-t", "2", "-c",
                Integer.toString(connections), "-d", seconds + "s", "--timeout", "10s", "--latency", "-s", script, url)
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = wrk.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!wrk.waitFor(seconds + 60L, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
            throw new IllegalStateException("wrk failed:\n" + output);
        }
        long requests = Long.parseLong(find(output, "(\\d+) requests in"));
        double elapsedSeconds = wrkMillis(find(output, "\\d+ requests in ([\\d.]+\\w+),")) / 1000;
        long non2xx = output.contains("Non-2xx") ? Long.parseLong(find(output, "Non-2xx or 3xx responses: (\\d+)")) : 0;
        long accepted = requests - non2xx;
        long errors = non2xx;
        if (output.contains("Socket errors")) {
            Matcher socket = Pattern.compile("connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(output);
            if (socket.find()) {
                for (int i = 1; i <= 4; i++) {
                    errors += Long.parseLong(socket.group(i));
                }
            }
        }
        Matcher times = Pattern.compile("(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s\\s*$").matcher(output.trim());
        double cpuMs = times.find() ? (Long.parseLong(times.group(1)) * 60 + Double.parseDouble(times.group(2))
                + Long.parseLong(times.group(3)) * 60 + Double.parseDouble(times.group(4))) * 1000 : Double.NaN;
        return new WrkResult(requests, accepted, accepted / elapsedSeconds,
                wrkMillis(find(output, "\\s50%\\s+([\\d.]+\\w+)")), wrkMillis(find(output, "\\s99%\\s+([\\d.]+\\w+)")),
                wrkMillis(find(output, "Latency\\s+\\S+\\s+\\S+\\s+(\\S+)")), errors, cpuMs);
    }

    record LagResult(double sentPerSecond, double postP50Ms, double postP99Ms, double postMaxMs, long postErrors,
            double deliveredPerSecond, double lagP50Ms, double lagP99Ms, double lagMaxMs, long undelivered) {
    }

    /**
     * Posts at a fixed rate, each POST timed from when it was due (so a slow answer cannot hide the
     * ones queued behind it), and notes when the node first sees each event id.
     */
    private static LagResult lagAtFixedRate(String url, Deliveries deliveries, int rate, int seconds)
            throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        ObjectMapper json = new ObjectMapper();
        Map<String, Long> dueAt = new ConcurrentHashMap<>();
        AtomicLong slots = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long total = (long) rate * seconds;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;

        Samples post = new Samples();
        ExecutorService senders = Executors.newFixedThreadPool(LAG_SENDERS);
        List<Future<long[]>> results = new ArrayList<>();
        for (int s = 0; s < LAG_SENDERS; s++) {
            results.add(senders.submit(() -> {
                Samples latencies = new Samples();
                long slot;
                while ((slot = slots.getAndIncrement()) < total) {
                    long due = start + slot * intervalNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    String skill = SKILLS.get((int) (slot % SKILLS.size()));
                    HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/skills/" + skill + "/downloads"))
                            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                            // a client of its own per event, in a range wrk's clients do not use
                            .header("X-Forwarded-For", "10.128." + (slot / 256 % 256) + "." + (slot % 256))
                            .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
                    try {
                        HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
                        latencies.add(System.nanoTime() - due);
                        if (answer.statusCode() == 202) {
                            dueAt.put(json.readTree(answer.body()).path("eventId").asText(), due);
                        } else {
                            errors.incrementAndGet();
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                }
                return latencies.values();
            }));
        }
        for (Future<long[]> result : results) {
            post.addAll(result.get());
        }
        senders.shutdown();
        double sentSeconds = (System.nanoTime() - start) / 1e9;

        long deadline = System.currentTimeMillis() + DRAIN_TIMEOUT_MS;
        while (dueAt.keySet().stream().anyMatch(id -> deliveries.seenAt(id) == null)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        Samples lag = new Samples();
        long lastSeen = start;
        for (Map.Entry<String, Long> accepted : dueAt.entrySet()) {
            Long seen = deliveries.seenAt(accepted.getKey());
            if (seen != null) {
                lag.add(seen - accepted.getValue());
                lastSeen = Math.max(lastSeen, seen);
            }
        }
        return new LagResult(post.count() / sentSeconds, post.percentile(50), post.percentile(99), post.percentile(100),
                errors.get(), lag.count() / ((lastSeen - start) / 1e9), lag.percentile(50), lag.percentile(99),
                lag.percentile(100), dueAt.size() - lag.count());
    }

    /**
     * Moves the forwarder's committed offsets to the end of the topic, with its route stopped (a
     * group's offsets can only be changed while it has no member), so the next phase starts without
     * a backlog. Only the benchmark does this: the events skipped were never going to be measured.
     */
    private static void skipBacklog(Main gateway, EmbeddedKafka kafka) throws Exception {
        var routes = gateway.getCamelContext().getRouteController();
        routes.stopRoute(FORWARDER);
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions()
                    .forEach(p -> latest.put(new TopicPartition(TOPIC, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, end) ->
                    ends.put(partition, new OffsetAndMetadata(end.offset())));
            long deadline = System.currentTimeMillis() + 30_000;
            while (true) {
                try {
                    admin.alterConsumerGroupOffsets(FORWARDER_GROUP, ends).all().get();
                    break;
                } catch (ExecutionException e) {
                    // the stopped consumer may take a moment to leave the group
                    if (System.currentTimeMillis() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
            routes.startRoute(FORWARDER);
            // back to work only once the group has its partitions again, so the next phase does not time the join
            while (admin.describeConsumerGroups(List.of(FORWARDER_GROUP)).all().get().get(FORWARDER_GROUP).state()
                    != ConsumerGroupState.STABLE && System.currentTimeMillis() < deadline + 30_000) {
                Thread.sleep(100);
            }
        }
    }

    private static long countAccepted(EmbeddedKafka kafka) {
        // the warm-up's events: everything on the topic so far, from the broker's end offsets
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.<String, Object>of(
                "bootstrap.servers", kafka.bootstrapServers()),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(TOPIC, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static final class Samples {
        private long[] nanos = new long[1024];
        private int count;

        void add(long value) {
            if (count == nanos.length) {
                nanos = Arrays.copyOf(nanos, count * 2);
            }
            nanos[count++] = value;
        }

        void addAll(long[] values) {
            for (long value : values) {
                add(value);
            }
        }

        int count() {
            return count;
        }

        long[] values() {
            return Arrays.copyOf(nanos, count);
        }

        /** In milliseconds; 100 is the maximum. */
        double percentile(double p) {
            if (count == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(nanos, count);
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p / 100.0 * count) - 1;
            return sorted[Math.max(0, Math.min(count - 1, index))] / 1e6;
        }
    }

    private static String find(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + regex + " in wrk's output:\n" + text);
        }
        return matcher.group(1);
    }

    private static double wrkMillis(String value) {
        Matcher matcher = Pattern.compile("([\\d.]+)(us|ms|s|m)").matcher(value);
        if (!matcher.matches()) {
            throw new IllegalStateException("unexpected wrk latency " + value);
        }
        double number = Double.parseDouble(matcher.group(1));
        return switch (matcher.group(2)) {
            case "us" -> number / 1000;
            case "ms" -> number;
            case "s" -> number * 1000;
            default -> number * 60_000;
        };
    }

    private static String met(boolean met) {
        return met ? "met" : "NOT met";
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    private static String ms(double millis) {
        return Double.isNaN(millis) ? "-" : String.format(Locale.ROOT, "%.1f", millis);
    }

    /** CPU time this JVM (gateway, broker, simulated node, Java load) has used so far. */
    private static double processCpuMs() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e6;
    }

    private static String cpuPerEvent(double cpuMs, long events) {
        return events <= 0 || Double.isNaN(cpuMs) ? "-" : String.format(Locale.ROOT, "%.3f", cpuMs / events);
    }

    private static String loadAverage() {
        try {
            String[] fields = java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static int intArg(String[] args, int index, int fallback) {
        return args.length > index && !args[index].isBlank() ? Integer.parseInt(args[index]) : fallback;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
