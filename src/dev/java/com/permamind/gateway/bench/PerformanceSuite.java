package com.permamind.gateway.bench;

import static com.permamind.gateway.dev.Processes.jcmd;
import static com.permamind.gateway.dev.Processes.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.dev.LocalCluster;
import com.permamind.gateway.dev.RegistryStateGenerator;
import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.LuaStateMode;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.SimulatorConfig;
import com.permamind.gateway.simulator.Upstream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * The performance suite behind {@code bench/run}: measures the gateway against its baselines in
 * one run and writes one table (console, JSON and Markdown under bench/results/).
 *
 * <p>Processes: this JVM hosts the registry simulator (HyperBEAM node and compute unit, 5,000-skill
 * state, Lua state decoded once) and the embedded Kafka broker, and drives everything; the gateway
 * and the bare Vert.x baseline each run in their own JVM, started with {@code java -cp} and the
 * same JVM options; wrk is a separate process (one thread). See bench/README.md.
 *
 * <p>Settings (system properties, bench/run sets them): {@code bench.root}, {@code bench.gateway.app},
 * {@code bench.gateway.launcher}, {@code bench.jvm.options.file}, {@code bench.bare.classpath}, {@code bench.java.opts}, {@code bench.results}, {@code bench.quick},
 * {@code bench.budget.seconds}, {@code bench.skills}, {@code bench.jfr}.
 */
public final class PerformanceSuite implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    static final String EVENTS_TOPIC = System.getProperty("bench.events.topic", "registry.download-events");

    /** Simulated upstream latencies of the realistic mix (issue 8). */
    static final long HYPERBEAM_MILLIS = 300;
    /** The steps after which the memory step's RSS is a figure after load. */
    static final Set<String> LOAD_STEPS = Set.of("cached", "uncached", "mix", "failover", "downloadEvents");
    static final long DRYRUN_MILLIS = 1200;
    /**
     * The mix's clients pause this long on average (exponentially distributed) between an answer
     * and their next request: 1,000 such clients ask about 25,000 times a second when answers are
     * instant, 20,000 when answers take 10 ms on average. Issue 8's targets for 1,000 clients
     * (≥ 20,000 req/s at a p50 ≤ 5 ms) describe clients like these; clients that never pause keep
     * any server saturated, and their latency is 1,000 ÷ the throughput by Little's law.
     */
    static final int MIX_THINK_MILLIS = 40;
    /** The forwarder's default (application.properties), set explicitly so the report's bound is true. */
    static final int FORWARDER_DELIVERIES_AT_ONCE = 128;

    private final Path root;
    private final Path results;
    private final Path work;
    private Path wallet;
    private final boolean quick;
    private final long deadlineNanos;
    private final long startNanos = System.nanoTime();
    private final List<String> javaOptions;
    /** The gateway as the image holds it (gateway.jar, lib/, gateway.options, gateway.jsa), started by its launcher. */
    private final Path gatewayApp;
    private final Path gatewayLauncher;
    /** The shipped JVM options (ops/jvm/gateway.options), which the bare Vert.x JVM gets too. */
    private final Path jvmOptionsFile;
    private final String bareClasspath;
    private final int skills;
    private final Wrk wrk;
    private final ObjectNode report = JSON.createObjectNode();
    private final ObjectNode steps = JSON.createObjectNode();
    private final ArrayNode runs = JSON.createArrayNode();
    private final ArrayNode notes = JSON.createArrayNode();

    private final boolean nodeMemo = !"0".equals(System.getenv("BENCH_NODE_MEMO"));
    /** BENCH_PINNED=0: no JFR recording in the gateway (what the recording itself costs in memory). */
    private final boolean recordPinned = !"0".equals(System.getenv("BENCH_PINNED"));
    /** BENCH_STEPS=cached,uncached: only these steps run (a partial run is written under tmp/). */
    private final List<String> selectedSteps = Arrays.stream(System.getenv().getOrDefault("BENCH_STEPS", "").split(","))
            .map(String::trim).filter(name -> !name.isEmpty()).toList();
    private MemoizedNode memoizedNode;
    private RegistrySimulator simulator;
    private UpstreamCalls upstreamCalls;
    private EmbeddedKafka kafka;
    private RequestLists lists;
    private ChildJvm gateway;
    private ChildJvm bare;
    private String gatewayUrl;
    private String bareUrl;
    private Path answerFile;
    private long mixWarmIssued;
    private final List<ChildJvm> children = new ArrayList<>();

    private PerformanceSuite() {
        root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
        results = Path.of(System.getProperty("bench.results", root.resolve("bench/results").toString()));
        work = results.resolve("tmp");
        quick = Boolean.getBoolean("bench.quick");
        deadlineNanos = startNanos + Long.getLong("bench.budget.seconds", 570) * 1_000_000_000L;
        String opts = System.getProperty("bench.java.opts", "").trim();
        javaOptions = opts.isEmpty() ? List.of() : Arrays.asList(opts.split("\\s+"));
        gatewayApp = Path.of(required("bench.gateway.app"));
        gatewayLauncher = Path.of(required("bench.gateway.launcher"));
        jvmOptionsFile = Path.of(required("bench.jvm.options.file"));
        bareClasspath = required("bench.bare.classpath");
        skills = Integer.getInteger("bench.skills", 5000);
        wrk = new Wrk(root.resolve("bench/wrk"), work);
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--render")) {
            // bench/run --render FILE.json: the table again from a saved run (e.g. after a change to the report)
            Path json = Path.of(args[1]);
            render((ObjectNode) JSON.readTree(json.toFile()), json);
            return;
        }
        int status;
        try (PerformanceSuite suite = new PerformanceSuite()) {
            Runtime.getRuntime().addShutdownHook(new Thread(suite::close, "bench-stop"));
            status = suite.run();
        }
        System.exit(status);
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("-D" + property + " is required (bench/run sets it)");
        }
        return value;
    }

    private int seconds(int full, int quickValue) {
        return quick ? quickValue : full;
    }

    // ------------------------------------------------------------------------------------------

    private int run() throws Exception {
        Files.createDirectories(work);
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        describeMachine(now);
        log("state: generating %,d skills", skills);
        long stateNow = System.currentTimeMillis() / 60_000 * 60_000;
        ObjectNode state = RegistryStateGenerator.generate(skills, stateNow, 42);
        Path stateFile = work.resolve("state-" + skills + ".json");
        new ObjectMapper().writeValue(stateFile.toFile(), state);
        settings().put("stateBytes", Files.size(stateFile));

        log("upstreams: simulator (HyperBEAM + compute unit, Lua state decoded once) and Kafka broker");
        SimulatorConfig.Builder config = SimulatorConfig.builder(stateFile).luaState(LuaStateMode.DECODED);
        if (nodeMemo) {
            memoizedNode = new MemoizedNode(new ObjectMapper().writeValueAsString(state.get("skills")));
            config.luaModule(memoizedNode);
        }
        settings().put("nodeAnswersMemoized", nodeMemo);
        simulator = new RegistrySimulator(config.build()).start();
        upstreamCalls = new UpstreamCalls(simulator);
        kafka = EmbeddedKafka.start(freePort());
        String readPrefix = simulator.hyperbeamUrl() + "/" + simulator.processId() + "~process@1.0/compute/~lua@5.3a&module="
                + simulator.moduleId();
        lists = new RequestLists(state.get("skills"), URI.create(readPrefix).getRawPath(), work);
        settings().put("mixDistinctKeys", lists.mixDistinctKeys).put("skills", lists.skillCount)
                .put("versions", lists.versionCount).put("hotSkill", lists.hotSkill);

        gateway = startGateway("gateway");
        log("gateway ready in %.0f ms (%s)", gateway.startupMillis(), gatewayUrl);
        if (gateway.readyStatus() != 200) {
            notes.add("The gateway started but answered GET /api/info with HTTP " + gateway.readyStatus()
                    + " for 15 s (see bench/results/tmp/gateway.log): the read figures below measure failing answers.");
        }
        answerFile = recordAnswer();
        bare = startBare("bare-vertx");
        bareUrl = "http://127.0.0.1:" + bare.port();
        log("bare Vert.x ready in %.0f ms (%s)", bare.startupMillis(), bareUrl);

        step("startup", 70, this::startupSamples);
        step("jitWarmUp", 95, this::jitWarmUp);
        step("cached", 110, this::cachedReads);
        step("uncached", 60, this::uncachedReads);
        step("mix", 65, this::realisticMix);
        step("failover", 50, this::failover);
        step("downloadEvents", 25, this::downloadEvents);
        step("memory", 10, this::memory);
        step("scaleOut", 240, result -> new ScaleOutStep(root, work, simulator, kafka, upstreamCalls, lists, wrk,
                gatewayLauncher, gatewayApp, javaOptions, quick).run(result));
        gateway.close();
        bare.close();
        upstreamCalls.close();
        simulator.stop();
        kafka.stop();
        // nothing left to settle: the script's step would otherwise wait out settle()'s 30 s first
        gateway = null;
        simulator = null;
        // bench/download-events warms its JVM up until the JIT settles and takes about 6 minutes on its
        // own: more than the suite has left, so it runs only when named in BENCH_STEPS
        if (selectedSteps.contains("downloadEventsScript")) {
            step("downloadEventsScript", 20, this::downloadEventsScript);
        } else {
            ObjectNode skipped = steps.putObject("downloadEventsScript");
            skipped.put("present", Files.isExecutable(root.resolve("bench/download-events")));
            skipped.put("skipped", "runs on its own (about 6 minutes): bench/download-events, or "
                    + "BENCH_STEPS=downloadEventsScript bench/run");
        }

        ((ObjectNode) report.get("machine")).put("loadAverageEnd", ProcStats.loadAverage());
        if (memoizedNode != null) {
            settings().put("nodeAnswersComputed", memoizedNode.computed());
            settings().put("nodeAnswersFromMemory", memoizedNode.remembered());
        }
        report.put("elapsedSeconds", Math.round((System.nanoTime() - startNanos) / 1e9));
        report.set("steps", steps);
        report.set("notes", notes);
        report.set("runs", runs);
        String stamp = now.format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm", Locale.ROOT));
        Path json = (selectedSteps.isEmpty() ? results : work).resolve(stamp + ".json");
        // the measurements first, so that a rendering fault cannot lose a run (re-render with --render)
        JSON.writeValue(json.toFile(), report);
        render(report, json);
        return 0;
    }

    /** Builds the table from a results document, adds it to the JSON, writes the Markdown beside it, prints it. */
    static void render(ObjectNode report, Path json) throws IOException {
        SuiteReport table = new SuiteReport(report);
        report.set("table", table.rows());
        JSON.writeValue(json.toFile(), report);
        Path markdown = json.resolveSibling(json.getFileName().toString().replaceAll("\\.json$", "") + ".md");
        Files.writeString(markdown, table.markdown(), StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(table.console());
        System.out.println("results: " + json + ", " + markdown);
    }

    private ObjectNode settings() {
        return (ObjectNode) report.get("settings");
    }

    interface Step {
        void run(ObjectNode result) throws Exception;
    }

    /** Runs a step if the time budget still has room for it; a failing step is recorded, the suite goes on. */
    private void step(String name, int estimateSeconds, Step step) {
        ObjectNode result = steps.putObject(name);
        if (!selectedSteps.isEmpty() && !selectedSteps.contains(name)) {
            result.put("skipped", "not in BENCH_STEPS");
            return;
        }
        long remaining = (deadlineNanos - System.nanoTime()) / 1_000_000_000L;
        if (remaining < (quick ? estimateSeconds / 3 : estimateSeconds)) {
            result.put("skipped", "time budget: " + remaining + " s left, the step needs about " + estimateSeconds + " s");
            log("step %s skipped: %s", name, result.get("skipped").asText());
            return;
        }
        log("step %s", name);
        try {
            if (simulator != null && gateway != null) {
                result.put("settleMillis", settle());
            }
            step.run(result);
        } catch (Exception e) {
            result.put("failed", e.toString());
            log("step %s failed: %s", name, e);
        }
    }

    private void describeMachine(ZonedDateTime now) throws IOException {
        report.put("suite", "Permamind registry gateway performance suite (bench/run)");
        report.put("date", now.toString());
        ObjectNode machine = report.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memoryGiB", Math.round(((com.sun.management.OperatingSystemMXBean) ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize() / 1073741824.0));
        machine.put("cpu", cpuModel());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("wrk", firstLine(List.of("wrk", "--version")));
        machine.put("loadAverageStart", ProcStats.loadAverage());
        ObjectNode git = report.putObject("git");
        git.put("commit", firstLine(List.of("git", "-C", root.toString(), "rev-parse", "HEAD")));
        git.put("branch", firstLine(List.of("git", "-C", root.toString(), "rev-parse", "--abbrev-ref", "HEAD")));
        String diff = output(List.of("git", "-C", root.toString(), "diff", "HEAD", "--", "src/main", "lua", "pom.xml"));
        git.put("dirty", !diff.isBlank());
        if (!diff.isBlank()) {
            // what was measured differs from the commit: keep the difference with the results
            git.put("localChangesInGateway", diff.length() > 8000 ? diff.substring(0, 8000) + "\n[cut]" : diff);
            notes.add("Measured with uncommitted changes to the gateway (src/main, lua or pom.xml) on top of commit "
                    + git.path("commit").asText() + ": the diff is in the JSON (git.localChangesInGateway).");
        }
        ObjectNode settings = report.putObject("settings");
        settings.put("quick", quick);
        settings.put("javaOptions", String.join(" ", javaOptions));
        settings.put("shippedJavaOptions", shippedJavaOptions());
        settings.put("gatewayEnvironment", inheritedGatewayEnvironment());
        settings.put("gatewayCdsArchive", Files.isRegularFile(gatewayApp.resolve("gateway.jsa")));
        settings.put("hyperbeamMillisInMix", HYPERBEAM_MILLIS);
        settings.put("dryrunMillisInMix", DRYRUN_MILLIS);
        notes.add("The gateway is started with -Dgateway.clock-pinned-at= (empty = system clock): without the property "
                + "GatewayConfiguration.registryClock fails at start-up, because Camel treats @PropertyInject's "
                + "defaultValue \"\" as no default.");
        settings.put("loadGenerator", "wrk, 1 thread per process, closed loop (no coordinated-omission correction)");
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String firstLine(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            process.waitFor(10, TimeUnit.SECONDS);
            return out.isEmpty() ? "" : out.lines().findFirst().orElse("");
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    // --- processes ----------------------------------------------------------------------------

    private ChildJvm startGateway(String name) throws IOException, InterruptedException {
        return startGateway(name, List.of());
    }

    /**
     * The gateway as the image starts it: ops/jvm/gateway over the assembled application (its JVM
     * options file and class-data archive), configured by the environment; {@code BENCH_JAVA_OPTS}
     * and {@code moreOptions} come after the shipped options.
     */
    private ChildJvm startGateway(String name, List<String> moreOptions) throws IOException, InterruptedException {
        int port = freePort();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("APP_HOME", gatewayApp.toString());
        // the JDK of this harness, which bench/run created the archive with
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("GATEWAY_HOST", "127.0.0.1");
        env.put("GATEWAY_PORT", Integer.toString(port));
        // each gateway its own management port: the start-up samples run next to the main gateway,
        // and another suite on this machine may hold the default 9876
        env.put("GATEWAY_MANAGEMENT_PORT", Integer.toString(freePort()));
        env.put("HYPERBEAM_NODES", simulator.hyperbeamUrl());
        env.put("AO_CU_URL", simulator.cuUrl());
        env.put("REGISTRY_PROCESS_ID", simulator.processId());
        env.put("REGISTRY_LUA_MODULE_ID", simulator.moduleId());
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        // the download-events run posts as many clients (bench/wrk/post-downloads.lua), each under
        // the default per-client limit, as a proxy in front of the gateway would tell them apart
        env.put("DOWNLOAD_EVENTS_CLIENT_ADDRESS_HEADER", "X-Forwarded-For");
        env.put("DOWNLOAD_FORWARDER_DELIVERIES_AT_ONCE", Integer.toString(FORWARDER_DELIVERIES_AT_ONCE));
        List<String> options = new ArrayList<>(javaOptions);
        options.addAll(moreOptions);
        // the dev launcher's name for the broker setting; harmless if the gateway reads another
        options.add("-Dkafka.bootstrap-servers=" + kafka.bootstrapServers());
        // the forwarder signs its messages with a wallet file, as a deployment does: the embedded
        // default's throwaway wallet is an RSA-4096 key made at every start, a random 1-3 s of CPU
        // (the search for its primes) that was inside the start-up figure
        env.put("DOWNLOAD_EVENTS_WALLET_FILE", wallet().toString());
        // GatewayConfiguration's registryClock has defaultValue "" for this, which Camel treats as
        // no default: without the property the gateway does not start. Empty = the system clock.
        options.add("-Dgateway.clock-pinned-at=");
        String jfrSettings = System.getProperty("bench.jfr", "");
        if (!jfrSettings.isEmpty() && name.equals("gateway")) {
            options.add("-XX:StartFlightRecording=filename=" + work.resolve("gateway.jfr") + ",settings=" + jfrSettings);
        }
        env.put("GATEWAY_JAVA_OPTIONS", String.join(" ", options));
        ChildJvm jvm = ChildJvm.start(name, port, List.of(gatewayLauncher.toString()), env, work.resolve(name + ".log"));
        children.add(jvm);
        jvm.awaitReady("http://127.0.0.1:" + port + "/api/info", Duration.ofSeconds(90));
        if (name.equals("gateway")) {
            gatewayUrl = "http://127.0.0.1:" + port;
        }
        return jvm;
    }

    private ChildJvm startBare(String name) throws IOException, InterruptedException {
        int port = freePort();
        // the gateway's shipped JVM options (heap, GC, stacks...), then BENCH_JAVA_OPTS; no class-data
        // archive of its own, only the JDK's
        List<String> options = new ArrayList<>();
        options.add("@" + jvmOptionsFile);
        options.addAll(javaOptions);
        ChildJvm jvm = ChildJvm.start(name, port, bareClasspath, options, Map.of(),
                BareVertxServer.class.getName(), List.of(Integer.toString(port), answerFile.toString()),
                work.resolve(name + ".log"));
        children.add(jvm);
        return jvm.awaitReady("http://127.0.0.1:" + port + "/", Duration.ofSeconds(60));
    }

    /** The options of ops/jvm/gateway.options, comments left out, as one line. */
    private String shippedJavaOptions() {
        try {
            return Files.readAllLines(jvmOptionsFile).stream().map(line -> line.replaceAll("#.*", "").strip())
                    .filter(line -> !line.isEmpty()).collect(java.util.stream.Collectors.joining(" "));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The gateway's answer for the hot skill (the second one, so a cache would have it), for the bare server. */
    private Path recordAnswer() throws IOException, InterruptedException {
        HttpRequest get = HttpRequest.newBuilder(URI.create(gatewayUrl + "/api/skills/" + RequestLists.encode(lists.hotSkill)))
                .timeout(Duration.ofSeconds(10)).GET().build();
        HTTP.send(get, HttpResponse.BodyHandlers.discarding());
        HttpResponse<byte[]> answer = HTTP.send(get, HttpResponse.BodyHandlers.ofByteArray());
        ObjectNode recorded = JSON.createObjectNode();
        recorded.put("status", answer.statusCode());
        ObjectNode headers = recorded.putObject("headers");
        Set<String> hopByHop = Set.of("content-length", "transfer-encoding", "connection", "keep-alive");
        answer.headers().map().forEach((header, values) -> {
            if (!hopByHop.contains(header.toLowerCase(Locale.ROOT)) && !header.startsWith(":")) {
                headers.put(header, String.join(", ", values));
            }
        });
        recorded.put("bodyBase64", Base64.getEncoder().encodeToString(answer.body()));
        recorded.put("bodyBytes", answer.body().length);
        Path file = work.resolve("hot-answer.json");
        JSON.writeValue(file.toFile(), recorded);
        ObjectNode sample = settings().putObject("cachedAnswer");
        sample.put("path", "/api/skills/" + lists.hotSkill);
        sample.put("status", answer.statusCode());
        sample.put("bodyBytes", answer.body().length);
        sample.set("headers", headers.deepCopy());
        return file;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void hyperbeamLatency(long millis) {
        if (millis == 0) {
            simulator.faults(Upstream.HYPERBEAM).clear();
        } else {
            simulator.faults(Upstream.HYPERBEAM).inject(Fault.latency(millis, 0));
        }
    }

    private void dryrunLatency(long millis) {
        if (millis == 0) {
            simulator.faults(Upstream.COMPUTE_UNIT).clear();
        } else {
            simulator.faults(Upstream.COMPUTE_UNIT).inject(Fault.latency(millis, 0));
        }
    }

    /**
     * Waits (30 s at most) until the upstreams and the gateway answer promptly again: a step that
     * overloaded them leaves queued work (simulator workers, gateway worker pool) that would
     * otherwise slow the next step down. Returns how long it took.
     */
    private long settle() throws InterruptedException {
        hyperbeamLatency(0);
        dryrunLatency(0);
        long start = System.nanoTime();
        String hot = RequestLists.encode(lists.hotSkill);
        String direct = simulator.hyperbeamUrl() + "/" + simulator.processId() + "~process@1.0/compute/~lua@5.3a&module="
                + simulator.moduleId() + "/get-skill/serialize~json@1.0?name=" + hot;
        int prompt = 0;
        while (System.nanoTime() - start < 30_000_000_000L && prompt < 3) {
            boolean fast = answersWithin(direct, 200) && answersWithin(gatewayUrl + "/api/skills/" + hot, 1000);
            prompt = fast ? prompt + 1 : 0;
            Thread.sleep(fast ? 50 : 500);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static boolean answersWithin(String url, long millis) {
        long start = System.nanoTime();
        try {
            HttpRequest get = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
            return HTTP.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() < 500
                    && (System.nanoTime() - start) / 1_000_000 < millis;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // --- load runs ----------------------------------------------------------------------------

    /** Runs wrk processes side by side; each report gets the CPU used meanwhile and the upstream calls. */
    private List<ObjectNode> load(ChildJvm server, boolean record, Wrk.Spec... specs) throws Exception {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("server", server.pid());
        pids.put("harness", ProcessHandle.current().pid());
        long hyperbeamBefore = upstreamCalls.total(Upstream.HYPERBEAM);
        long computeUnitBefore = upstreamCalls.total(Upstream.COMPUTE_UNIT);
        ProcStats.Window cpu = ProcStats.start(pids);
        List<Wrk.Running> running = new ArrayList<>();
        List<String> ours = new ArrayList<>(List.of("server", "harness"));
        try {
            for (Wrk.Spec spec : specs) {
                Wrk.Running started = wrk.start(spec);
                running.add(started);
                cpu.track("wrk-" + running.size(), started.pid());
                ours.add("wrk-" + running.size());
            }
            long end = System.nanoTime() + Arrays.stream(specs).mapToLong(Wrk.Spec::seconds).max().orElse(0)
                    * 1_000_000_000L;
            while (System.nanoTime() < end - 300_000_000L) {
                cpu.sample();
                Thread.sleep(250);
            }
            cpu.sample();
            List<ObjectNode> reports = new ArrayList<>();
            for (Wrk.Running run : running) {
                reports.add(run.await());
            }
            Map<String, Double> cores = cpu.stop(ours);
            long hyperbeamCalls = upstreamCalls.total(Upstream.HYPERBEAM) - hyperbeamBefore;
            long computeUnitCalls = upstreamCalls.total(Upstream.COMPUTE_UNIT) - computeUnitBefore;
            for (ObjectNode report : reports) {
                ObjectNode cpuNode = report.putObject("cpuCores");
                cores.forEach(cpuNode::put);
                report.put("server", server.name());
                report.put("upstreamCallsHyperbeam", hyperbeamCalls);
                report.put("upstreamCallsComputeUnit", computeUnitCalls);
                long requests = report.path("requests").asLong();
                double serverCores = cores.getOrDefault("server", 0.0);
                double seconds = report.path("durationSec").asDouble();
                if (requests > 0 && reports.size() == 1) {
                    report.put("serverCpuMicrosPerRequest", ProcStats.round(serverCores * seconds * 1e6 / requests));
                }
                if (record) {
                    runs.add(report);
                }
                log("  %-34s %8.0f req/s  p50 %8.2f ms  p99 %8.2f ms  errors %d/%d, timeouts %d  %s  server %.2f cores, other %.2f",
                        report.path("label").asText(), report.path("rps").asDouble(),
                        report.at("/latencyMs/p50").asDouble(), report.at("/latencyMs/p99").asDouble(),
                        Wrk.allErrors(report), requests, Wrk.timeouts(report), report.path("sources").isEmpty() ? ""
                                : "sources " + report.path("sources"), serverCores, cores.getOrDefault("other", 0.0));
            }
            return reports;
        } finally {
            running.forEach(Wrk.Running::kill);
        }
    }

    private ObjectNode load1(ChildJvm server, Wrk.Spec spec) throws Exception {
        return load(server, true, spec).get(0);
    }

    private Wrk.Spec fixed(String label, String url, int connections, int seconds) {
        return new Wrk.Spec(label, "fixed.lua", url, connections, seconds, 5, null, false, 0);
    }

    private Wrk.Spec paths(String label, String baseUrl, Path paths, int connections, int seconds, int timeout,
            boolean once) {
        return new Wrk.Spec(label, "paths.lua", baseUrl, connections, seconds, timeout, paths, once, 0);
    }

    // --- steps --------------------------------------------------------------------------------

    /**
     * JIT warm-up, measured but not a result: a fresh gateway is several times slower for its first
     * hundred thousand reads or so. On 2 cores the compiler competes with the load for them; reads
     * that go upstream took 5.3 ms of the gateway's CPU each in the first 15 s and 0.35 ms after about
     * 90 s of load (bench/README.md). Distinct get-skill keys that no later step asks for, most of
     * them for unknown versions (cheap at the node), HyperBEAM at 0 ms.
     *
     * <p>First the fallback path, with HyperBEAM refusing connections: a dryrun read runs the Lua
     * module in the gateway (luaj), which nothing else does, and the first outage of a fresh gateway
     * otherwise had C2 compile luaj's interpreter loop (3 s of compiler time) while the outage's
     * first dryrun answers waited: about 250 ms more each for 3 s. Then 10 s of the breaker's open
     * state pass under the main warm-up, answered by dryrun, before HyperBEAM is tried again.
     */
    private void jitWarmUp(ObjectNode result) throws Exception {
        int fallbackSeconds = seconds(8, 2);
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.connectionRefused());
        dryrunLatency(0);
        ObjectNode fallback;
        try {
            fallback = load1(gateway, paths("gateway JIT warm-up, dryrun fallback", gatewayUrl,
                    lists.fallbackWarmUp.gateway(), 16, fallbackSeconds, 10, true));
        } finally {
            hyperbeamLatency(0);
        }
        int seconds = seconds(75, 5);
        ObjectNode warmUp = load1(gateway, paths("gateway JIT warm-up", gatewayUrl, lists.warmUp.gateway(), 16,
                seconds, 10, false));
        result.put("fallbackSeconds", fallbackSeconds);
        result.put("seconds", seconds);
        result.set("run", summary(List.of(warmUp)));
        result.set("fallbackRun", summary(List.of(fallback)));
    }

    /** Gateway vs bare Vert.x on one hot key, at 64 and 1,000 connections, in ABBA order. */
    private void cachedReads(ObjectNode result) throws Exception {
        hyperbeamLatency(0);
        dryrunLatency(0);
        String path = "/api/skills/" + RequestLists.encode(lists.hotSkill);
        int measure = seconds(6, 3);
        result.put("path", path);
        result.put("secondsPerRun", measure);
        for (int connections : new int[] {64, 1000}) {
            // the first warm-up is long enough for the JIT to finish the front's path on 2 cores
            // (after 3 s, the first measured run still ran at half the second's rate); both servers get it
            int warm = connections == 64 ? seconds(10, 1) : seconds(3, 1);
            load(bare, false, fixed("warm-up bare c" + connections, bareUrl + path, connections, warm));
            load(gateway, false, fixed("warm-up gateway c" + connections, gatewayUrl + path, connections, warm));
            boolean bareFirst = connections == 64;
            List<ObjectNode> gatewayRuns = new ArrayList<>();
            List<ObjectNode> bareRuns = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                boolean bareTurn = (round == 0 || round == 3) == bareFirst;
                String label = "cached " + (bareTurn ? "bare" : "gateway") + " c" + connections + " #"
                        + ((bareTurn ? bareRuns : gatewayRuns).size() + 1);
                ObjectNode run = bareTurn ? load1(bare, fixed(label, bareUrl + path, connections, measure))
                        : load1(gateway, fixed(label, gatewayUrl + path, connections, measure));
                (bareTurn ? bareRuns : gatewayRuns).add(run);
            }
            ObjectNode atConnections = result.putObject("c" + connections);
            atConnections.set("gateway", summary(gatewayRuns));
            atConnections.set("bare", summary(bareRuns));
        }
    }

    /** Mean of several runs of one configuration (rates and percentiles averaged, counts summed). */
    private static ObjectNode summary(List<ObjectNode> runs) {
        ObjectNode summary = JSON.createObjectNode();
        summary.put("runs", runs.size());
        summary.put("rps", mean(runs, "/rps"));
        summary.put("p50", mean(runs, "/latencyMs/p50"));
        summary.put("p95", mean(runs, "/latencyMs/p95"));
        summary.put("p99", mean(runs, "/latencyMs/p99"));
        summary.put("requests", runs.stream().mapToLong(r -> r.path("requests").asLong()).sum());
        summary.put("errors", runs.stream().mapToLong(Wrk::allErrors).sum());
        summary.put("serverErrors", runs.stream().mapToLong(Wrk::serverErrors).sum());
        summary.put("socketErrors", runs.stream().mapToLong(Wrk::socketErrors).sum());
        summary.put("timeouts", runs.stream().mapToLong(Wrk::timeouts).sum());
        summary.put("latencySamples", runs.stream().mapToLong(Wrk::latencySamples).sum());
        summary.put("upstreamCallsHyperbeam", runs.stream().mapToLong(r -> r.path("upstreamCallsHyperbeam").asLong()).sum());
        summary.put("serverCpuMicrosPerRequest", mean(runs, "/serverCpuMicrosPerRequest"));
        summary.put("serverCores", mean(runs, "/cpuCores/server"));
        summary.put("otherCores", mean(runs, "/cpuCores/other"));
        summary.put("wrkCores", mean(runs, "/cpuCores/wrk-1"));
        if (runs.size() == 1 && runs.get(0).has("upstreamMillis")) {
            summary.set("upstreamMillisMean", runs.get(0).get("upstreamMillis"));
        }
        return summary;
    }

    private static double mean(List<ObjectNode> runs, String pointer) {
        return ProcStats.round(runs.stream().mapToDouble(r -> r.at(pointer).asDouble()).average().orElse(Double.NaN));
    }

    /** Gateway-added latency: distinct keys through the gateway vs the same reads sent straight to the node. */
    private void uncachedReads(ObjectNode result) throws Exception {
        dryrunLatency(0);
        int connections = 4;
        result.put("connections", connections);
        int measure = seconds(8, 3);
        // the read path through the gateway, JIT-compiled before it is measured (keys of its own)
        hyperbeamLatency(0);
        load(gateway, false, paths("uncached gateway warm-up", gatewayUrl, lists.uncachedWarmUp.gateway(), connections,
                seconds(10, 2), 10, true));
        for (long latency : new long[] {0, HYPERBEAM_MILLIS}) {
            hyperbeamLatency(latency);
            RequestLists.Distinct keys = latency == 0 ? lists.uncached0 : lists.uncached300;
            String tag = "uncached " + latency + "ms";
            if (nodeMemo) {
                // the node computes each key once: let it do so now, so the direct runs and the
                // gateway run all get remembered answers (otherwise the first run pays for Lua)
                hyperbeamLatency(0);
                load(gateway, false, paths(tag + " node fill", simulator.hyperbeamUrl(), keys.direct(), 16,
                        seconds(4, 2), 10, true));
                hyperbeamLatency(latency);
            }
            List<ObjectNode> direct = new ArrayList<>();
            direct.add(load1(gateway, paths(tag + " direct #1", simulator.hyperbeamUrl(), keys.direct(), connections,
                    measure, 10, true)));
            ObjectNode viaGateway = load1(gateway, paths(tag + " gateway", gatewayUrl, keys.gateway(), connections,
                    latency == 0 ? measure : measure + 2, 10, true));
            if (latency == 0) {
                direct.add(load1(gateway, paths(tag + " direct #2", simulator.hyperbeamUrl(), keys.direct(),
                        connections, measure, 10, true)));
            }
            ObjectNode at = result.putObject(latency + "ms");
            at.put("distinctKeys", keys.size());
            at.set("gateway", summary(List.of(viaGateway)));
            at.set("direct", summary(direct));
            // every gateway request must have gone upstream: calls per answered request (1.0 = no cache)
            long answered = viaGateway.path("requests").asLong();
            at.put("gatewayUpstreamCallsPerRequest", answered == 0 ? Double.NaN
                    : ProcStats.round((double) viaGateway.path("upstreamCallsHyperbeam").asLong() / answered));
            at.put("addedP50Ms", ProcStats.round(at.at("/gateway/p50").asDouble() - at.at("/direct/p50").asDouble()));
            at.put("addedP99Ms", ProcStats.round(at.at("/gateway/p99").asDouble() - at.at("/direct/p99").asDouble()));
            at.set("sources", viaGateway.path("sources"));
        }
    }

    /**
     * 1,000 clients, Zipf mix, HyperBEAM 300 ms, dryrun 1,200 ms: a warm-up, the measured run with
     * clients that think between requests, then the same clients without pauses: the most the
     * gateway answers, next to the target.
     */
    private void realisticMix(ObjectNode result) throws Exception {
        hyperbeamLatency(HYPERBEAM_MILLIS);
        dryrunLatency(DRYRUN_MILLIS);
        int warm = seconds(10, 4);
        int measure = seconds(30, 6);
        int saturate = seconds(15, 4);
        if (memoizedNode != null) {
            result.put("nodePrefillMillis", prefillNode());
        }
        long computedBefore = memoizedNode == null ? 0 : memoizedNode.computed();
        recordPinnedThreads("mix");
        ObjectNode warmRun = load1(gateway, paths("mix warm-up", gatewayUrl, lists.mix, 1000, warm, 10, false));
        mixWarmIssued = warmRun.path("issued").asLong();
        ObjectNode mix = load1(gateway, paths("mix", gatewayUrl, lists.mix, 1000, measure, 10, false)
                .thinking(MIX_THINK_MILLIS));
        ObjectNode capacity = load1(gateway, paths("mix without think time", gatewayUrl, lists.mix, 1000, saturate, 10,
                false));
        result.put("connections", 1000);
        result.put("thinkMillis", MIX_THINK_MILLIS);
        result.put("seconds", measure);
        result.set("pinnedVirtualThreads", pinnedThreadsRecorded("mix"));
        result.set("withoutThinkTime", summary(List.of(capacity)));
        result.put("warmUpSeconds", warm);
        result.set("run", summary(List.of(mix)));
        result.set("sources", mix.path("sources"));
        result.set("statuses", mix.path("statuses"));
        result.put("hitRate", hitRate(mix));
        result.put("idealHitRate", ProcStats.round(lists.idealHitRate(mixWarmIssued, mix.path("issued").asLong())));
        result.put("issued", mix.path("issued").asLong());
        result.put("upstreamCallsComputeUnit", mix.path("upstreamCallsComputeUnit").asLong());
        if (memoizedNode != null) {
            // reads the prefill did not foresee (clocked ones, or a parameter mismatch): Lua during the mix
            result.put("nodeAnswersComputedDuringMix", memoizedNode.computed() - computedBefore);
        }
    }

    /**
     * Lets the simulated node compute, before the mix, its answers to the reads the mix will make
     * (all but the clocked ones), two threads at a time; returns how long that took.
     */
    private long prefillNode() throws InterruptedException {
        long start = System.nanoTime();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        for (RequestLists.NodeRead read : lists.nodeReads.values()) {
            pool.submit(() -> memoizedNode.call(read.function(), read.params()));
        }
        pool.shutdown();
        pool.awaitTermination(120, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - start) / 1_000_000;
        log("  node answers for %,d distinct mix reads computed in %,d ms", lists.nodeReads.size(), millis);
        return millis;
    }

    /** Share of answers marked cache or stale among the answers that carry X-Registry-Source. */
    static double hitRate(JsonNode run) {
        JsonNode sources = run.path("sources");
        long total = 0;
        long hits = 0;
        for (Map.Entry<String, JsonNode> source : sources.properties()) {
            total += source.getValue().asLong();
            if (source.getKey().equals("cache") || source.getKey().equals("stale")) {
                hits += source.getValue().asLong();
            }
        }
        return total == 0 ? Double.NaN : ProcStats.round((double) hits / total);
    }

    /**
     * The mix (cached keys: it replays the same paths the mix and its warm-up asked) plus a stream
     * of never-asked keys (uncached), while HyperBEAM refuses connections for 20 s, then after it
     * comes back (two 10 s windows: the breaker waits in the open state before it tries again).
     */
    private void failover(ObjectNode result) throws Exception {
        hyperbeamLatency(HYPERBEAM_MILLIS);
        dryrunLatency(DRYRUN_MILLIS);
        int outage = seconds(20, 6);
        int window = seconds(10, 4);
        int uncachedConnections = 50;
        result.put("outageSeconds", outage);
        result.put("uncachedConnections", uncachedConnections);
        long dryrunsBefore = upstreamCalls.total(Upstream.COMPUTE_UNIT);
        long outageStarted = System.nanoTime();
        recordPinnedThreads("failover");
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.connectionRefused());
        List<ObjectNode> during;
        try {
            during = load(gateway, true,
                    paths("failover outage mix", gatewayUrl, lists.mix, 1000, outage, 10, false).thinking(MIX_THINK_MILLIS),
                    paths("failover outage uncached", gatewayUrl, lists.outage.gateway(), uncachedConnections, outage,
                            10, true));
        } finally {
            hyperbeamLatency(HYPERBEAM_MILLIS);
        }
        // against the compute unit's real limit (6 per client address a minute): what the gateway sent
        double outageMinutes = (System.nanoTime() - outageStarted) / 60e9;
        long dryruns = upstreamCalls.total(Upstream.COMPUTE_UNIT) - dryrunsBefore;
        result.put("dryrunsDuringOutage", dryruns);
        result.put("dryrunsPerMinuteDuringOutage", ProcStats.round(dryruns / Math.max(1, outageMinutes)));
        result.put("computeUnitLimitPerMinute", simulator.computeUnitLimitPerMinute());
        List<ObjectNode> after1 = load(gateway, true,
                paths("failover recovery 0-10s mix", gatewayUrl, lists.mix, 1000, window, 10, false).thinking(MIX_THINK_MILLIS),
                paths("failover recovery 0-10s uncached", gatewayUrl, lists.recovery1.gateway(), uncachedConnections,
                        window, 10, true));
        List<ObjectNode> after2 = load(gateway, true,
                paths("failover recovery 10-20s mix", gatewayUrl, lists.mix, 1000, window, 10, false).thinking(MIX_THINK_MILLIS),
                paths("failover recovery 10-20s uncached", gatewayUrl, lists.recovery2.gateway(), uncachedConnections,
                        window, 10, true));
        result.set("pinnedVirtualThreads", pinnedThreadsRecorded("failover"));
        phase(result.putObject("outage"), during);
        phase(result.putObject("recovery0to10s"), after1);
        phase(result.putObject("recovery10to20s"), after2);
        result.put("mixIssuedDuringOutage", during.get(0).path("issued").asLong());
        result.put("mixIssuedBefore", mixWarmIssued);
    }

    /**
     * Starts recording, in the gateway, every park of a virtual thread pinned to its carrier (JFR's
     * jdk.VirtualThreadPinned at threshold 0: the JDK's default records only those over 20 ms).
     */
    private void recordPinnedThreads(String step) {
        if (!recordPinned) {
            return;
        }
        String out = jcmd(gateway.pid(), "JFR.start", "name=pinned-" + step, "settings=none",
                "+jdk.VirtualThreadPinned#enabled=true", "+jdk.VirtualThreadPinned#threshold=0ms",
                "+jdk.VirtualThreadPinned#stackTrace=true");
        if (!out.contains("Started recording")) {
            notes.add("JFR's pinned-thread recording did not start for the " + step + " step: " + out);
        }
    }

    /** The pinned parks since {@link #recordPinnedThreads}: how many, why, and where (the first frame outside the JDK). */
    private ObjectNode pinnedThreadsRecorded(String step) {
        ObjectNode pinned = JSON.createObjectNode();
        if (!recordPinned) {
            pinned.put("skipped", "BENCH_PINNED=0");
            return pinned;
        }
        Path file = work.resolve("pinned-" + step + ".jfr");
        String out = jcmd(gateway.pid(), "JFR.stop", "name=pinned-" + step, "filename=" + file);
        if (!Files.exists(file)) {
            pinned.put("failed", out);
            return pinned;
        }
        Map<String, Long> reasons = new TreeMap<>();
        Map<String, Long> where = new TreeMap<>();
        long events = 0;
        try {
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                if (!event.getEventType().getName().equals("jdk.VirtualThreadPinned")) {
                    continue;
                }
                events++;
                reasons.merge(event.hasField("pinnedReason") ? String.valueOf(event.getString("pinnedReason")) : "?", 1L, Long::sum);
                String frame = event.getStackTrace() == null ? "?" : event.getStackTrace().getFrames().stream()
                        .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName())
                        .filter(name -> !name.startsWith("java.") && !name.startsWith("jdk.") && !name.startsWith("sun."))
                        .findFirst().orElse("(JDK frames only)");
                where.merge(frame, 1L, Long::sum);
            }
        } catch (IOException e) {
            pinned.put("failed", e.toString());
            return pinned;
        }
        pinned.put("events", events);
        pinned.set("byReason", JSON.valueToTree(reasons));
        pinned.set("byFirstFrameOutsideJdk", JSON.valueToTree(where));
        log("  virtual threads pinned during %s: %d %s", step, events, events == 0 ? "" : reasons);
        return pinned;
    }

    /** The gateway's RSS read every 250 ms for {@code seconds}, with no load sent: lowest, highest, last. */
    private ObjectNode rssOverTheNextSeconds(int seconds) throws InterruptedException {
        List<Double> readings = new ArrayList<>();
        for (int i = 0; i < seconds * 4; i++) {
            Thread.sleep(250);
            readings.add(gateway.rssMib());
        }
        ObjectNode spread = JSON.createObjectNode();
        spread.put("seconds", seconds);
        spread.put("min", ProcStats.round(Collections.min(readings)));
        spread.put("max", ProcStats.round(Collections.max(readings)));
        spread.put("last", ProcStats.round(readings.get(readings.size() - 1)));
        log("  RSS gateway over the next %d s: %.0f-%.0f MiB, %.0f MiB at the end", seconds,
                spread.path("min").asDouble(), spread.path("max").asDouble(), spread.path("last").asDouble());
        return spread;
    }

    private static void phase(ObjectNode phase, List<ObjectNode> runs) {
        for (int i = 0; i < runs.size(); i++) {
            ObjectNode run = runs.get(i);
            ObjectNode part = phase.putObject(i == 0 ? "cachedKeys" : "uncachedKeys");
            part.set("run", summary(List.of(run)));
            long requests = run.path("requests").asLong();
            long errors = Wrk.allErrors(run);
            part.put("errorRate", requests + errors == 0 ? Double.NaN
                    : ProcStats.round((double) errors / (requests + Wrk.socketErrors(run))));
            part.put("timeouts", Wrk.timeouts(run));
            part.put("serverErrors", Wrk.serverErrors(run));
            part.set("sources", run.path("sources"));
            part.set("statuses", run.path("statuses"));
        }
    }

    /** POST /api/skills/{name}/downloads, if the gateway answers it with 202; else "not available". */
    private void downloadEvents(ObjectNode result) throws Exception {
        hyperbeamLatency(HYPERBEAM_MILLIS);
        dryrunLatency(DRYRUN_MILLIS);
        String firstEvent = Files.readAllLines(lists.events).get(0);
        String[] event = firstEvent.split(" ");
        HttpRequest probe = HttpRequest.newBuilder(URI.create(gatewayUrl + "/api/skills/" + event[0] + "/downloads"))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"version\":\"" + event[1] + "\"}")).build();
        int status;
        try {
            status = HTTP.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            status = -1;
        }
        result.put("probeStatus", status);
        if (status != 202) {
            result.put("available", false);
            result.put("reason", "POST /api/skills/{name}/downloads answered " + (status < 0 ? "nothing within 5 s"
                    : "HTTP " + status));
            log("  download events: not available (HTTP %d)", status);
            return;
        }
        result.put("available", true);
        int seconds = seconds(10, 4);
        try (KafkaLag lag = new KafkaLag(kafka.bootstrapServers(), EVENTS_TOPIC)) {
            List<long[]> samples = new ArrayList<>();
            Thread sampler = new Thread(() -> {
                long start = System.nanoTime();
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        KafkaLag.Sample sample = lag.sample();
                        synchronized (samples) {
                            samples.add(new long[] {(System.nanoTime() - start) / 1_000_000, sample.endOffset(),
                                    sample.worstLag()});
                        }
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // the topic may not exist before the first event; try again
                        try {
                            Thread.sleep(250);
                        } catch (InterruptedException stop) {
                            return;
                        }
                    }
                }
            }, "bench-kafka-lag");
            // the POSTs' sends and the forwarder's deliveries wait on virtual threads too
            recordPinnedThreads("downloadEvents");
            // the POST path JIT-compiled before it is measured; its events are on the topic before
            // the measured ones, and the lag below includes the forwarder's work on them
            load(gateway, false, new Wrk.Spec("download events POST warm-up", "post-downloads.lua", gatewayUrl, 64,
                    seconds(10, 2), 10, lists.events, false, 0));
            KafkaLag.Sample before = lag.sample();
            sampler.start();
            ObjectNode run = load1(gateway, new Wrk.Spec("download events POST", "post-downloads.lua", gatewayUrl, 64,
                    seconds, 10, lists.events, false, 0));
            long loadEnded = System.nanoTime();
            long drainMillis = -1;
            KafkaLag.Sample last = lag.sample();
            long lagAtLoadEnd = last.worstLag();
            while (System.nanoTime() - loadEnded < 30_000_000_000L) {
                last = lag.sample();
                if (!last.committed().isEmpty() && last.worstLag() == 0) {
                    drainMillis = (System.nanoTime() - loadEnded) / 1_000_000;
                    break;
                }
                Thread.sleep(100);
            }
            long drainEnded = System.nanoTime();
            result.set("pinnedVirtualThreads", pinnedThreadsRecorded("downloadEvents"));
            sampler.interrupt();
            sampler.join(5000);
            long accepted = run.path("statuses").path("202").asLong();
            result.put("accepted", accepted);
            result.put("acceptedPerSecond", ProcStats.round(accepted / run.path("durationSec").asDouble()));
            result.set("run", summary(List.of(run)));
            result.set("statuses", run.path("statuses"));
            result.put("eventsOnTopic", last.endOffset() - before.endOffset());
            result.put("consumerGroups", String.join(",", last.committed().keySet()));
            long maxLag;
            synchronized (samples) {
                maxLag = samples.stream().mapToLong(s -> s[2]).max().orElse(-1);
            }
            result.put("maxLagEvents", maxLag);
            result.put("lagAtLoadEnd", lagAtLoadEnd);
            // one signed message pushed per event, each taking the node's latency: the forwarder can
            // deliver at most deliveries-at-once events per latency, whatever the POST rate was
            double drainSeconds = Math.max(0.001, (drainEnded - loadEnded) / 1e9);
            result.put("forwarderDeliveredPerSecondAfterLoad",
                    ProcStats.round((lagAtLoadEnd - last.worstLag()) / drainSeconds));
            result.put("forwarderCapacityPerSecond",
                    ProcStats.round(FORWARDER_DELIVERIES_AT_ONCE * 1000.0 / HYPERBEAM_MILLIS));
            result.put("drainMillisAfterLoad", drainMillis);
            if (drainMillis < 0) {
                result.put("drainNote", last.committed().isEmpty() ? "no consumer group committed on " + EVENTS_TOPIC
                        : "lag not zero 30 s after the load: " + last.worstLag() + " events, delivered at "
                                + result.path("forwarderDeliveredPerSecondAfterLoad").asText() + "/s against at most "
                                + result.path("forwarderCapacityPerSecond").asText() + "/s ("
                                + FORWARDER_DELIVERIES_AT_ONCE + " at once, HyperBEAM at " + HYPERBEAM_MILLIS + " ms)");
            }
        }
    }

    private void memory(ObjectNode result) throws InterruptedException {
        result.put("gatewayRssMiB", ProcStats.round(gateway.rssMib()));
        result.put("bareRssMiB", ProcStats.round(bare.rssMib()));
        // live (platform) threads beside the RSS: each holds a stack and per-thread buffers
        result.put("gatewayThreads", ProcStats.memoryStatus(gateway.pid()).getOrDefault("Threads", -1L));
        result.put("bareThreads", ProcStats.memoryStatus(bare.pid()).getOrDefault("Threads", -1L));
        List<String> before = ranBefore("memory");
        result.put("after", "the steps that ran before it (gateway: " + (before.isEmpty() ? "none" : String.join(", ", before))
                + "); cached runs (bare)");
        // the target is for the RSS after a load run: start-up and warm-up alone say nothing of it
        result.put("afterLoad", before.stream().anyMatch(LOAD_STEPS::contains));
        log("  RSS gateway %.0f MiB (%d threads), bare Vert.x %.0f MiB", result.path("gatewayRssMiB").asDouble(),
                result.path("gatewayThreads").asLong(), result.path("bareRssMiB").asDouble());
        if (gateway.exitCode() >= 0) {
            // an -XX:+ExitOnOutOfMemoryError exit, say: what the gateway last logged
            List<String> lines = readLines(gateway.log());
            result.put("gatewayExited", gateway.exitCode());
            result.put("gatewayLogTail", String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            notes.add("The gateway had exited (code " + gateway.exitCode() + ") before the RSS step; its last log lines "
                    + "are in the JSON (steps.memory.gatewayLogTail).");
            return;
        }
        // one reading is one moment: the forwarder still delivers the events accepted, a C2 compilation's
        // arena (up to 46 MB) may be in it, malloc gives memory back every 2 s; the next seconds show the spread
        result.set("gatewayRssNextSecondsMiB", rssOverTheNextSeconds(5));
        // where the gateway's resident memory is: the kernel's split, then the JVM's own accounts
        ObjectNode breakdown = result.putObject("gateway");
        ProcStats.memoryStatus(gateway.pid()).forEach(breakdown::put);
        breakdown.put("heapInfo", jcmd(gateway.pid(), "GC.heap_info"));
        breakdown.put("codeCache", jcmd(gateway.pid(), "Compiler.codecache"));
        breakdown.put("residentMappings", ProcStats.residentMappings(gateway.pid(), 20));
        breakdown.put("threadsByName", threadsByName(jcmd(gateway.pid(), "Thread.print")));
        // what the heap bounds cost: collections and time in them since start (young, then old)
        breakdown.put("gcCounters", String.join("\n", jcmd(gateway.pid(), "PerfCounter.print").lines()
                .filter(line -> line.matches("sun\\.gc\\.collector\\.\\d+\\.(name|invocations|time)=.*")).toList()));
        // only with -XX:NativeMemoryTracking=summary among the JVM options
        String nmt = jcmd(gateway.pid(), "VM.native_memory", "summary");
        if (!nmt.contains("not enabled")) {
            breakdown.put("nativeMemory", nmt);
        }
        // the live heap, after the RSS was read: a class histogram collects the whole heap first
        String histogram = jcmd(gateway.pid(), "GC.class_histogram");
        breakdown.put("liveHeapTopClasses", String.join("\n", histogram.lines().limit(60).toList()));
        breakdown.put("heapInfoAfterFullGc", jcmd(gateway.pid(), "GC.heap_info"));
    }

    /** How many threads of each name a thread dump holds, numbers in names as #, most first: each holds a stack. */
    static String threadsByName(String threadDump) {
        Map<String, Long> counts = threadDump.lines().filter(line -> line.startsWith("\""))
                .map(line -> line.substring(1, line.indexOf('"', 1)).replaceAll("\\d+", "#"))
                .collect(Collectors.groupingBy(name -> name, Collectors.counting()));
        return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(entry -> entry.getValue() + " " + entry.getKey()).collect(Collectors.joining("\n"));
    }

    /** One wallet file for every gateway the suite starts, made once by the harness. */
    private Path wallet() {
        if (wallet == null) {
            wallet = LocalCluster.writeWallet(work.resolve("wallet.json"));
        }
        return wallet;
    }

    /**
     * The gateway's settings the suite's own environment holds (application.properties reads them as
     * {@code {{env:NAME}}}): the gateway inherits them, so the results must say so, e.g. {@code CACHE_MAX_MEGABYTES=40}.
     */
    private String inheritedGatewayEnvironment() {
        try {
            Matcher names = Pattern.compile("\\{\\{env:([A-Za-z0-9_]+)")
                    .matcher(Files.readString(root.resolve("src/main/resources/application.properties")));
            Set<String> set = new TreeSet<>();
            while (names.find()) {
                String value = System.getenv(names.group(1));
                if (value != null) {
                    set.add(names.group(1) + "=" + value);
                }
            }
            return String.join(" ", set);
        } catch (IOException e) {
            return "(application.properties not read: " + e.getMessage() + ")";
        }
    }

    /** The names of the steps that ran (not skipped, not failed) before {@code step}. */
    private List<String> ranBefore(String step) {
        List<String> ran = new ArrayList<>();
        steps.properties().forEach(entry -> {
            if (!entry.getKey().equals(step) && !entry.getValue().has("skipped") && !entry.getValue().has("failed")) {
                ran.add(entry.getKey());
            }
        });
        return ran;
    }

    /**
     * JVM start to first 200: the gateway (/api/info) and the bare server, three starts each,
     * alternating, before any load (so the upstreams are idle); the first start is the gateway
     * and bare server the suite then uses. Between them, the gateway without its class-data
     * archive (the JDK's only), to show what the archive is worth in the same run.
     */
    private void startupSamples(ObjectNode result) throws Exception {
        hyperbeamLatency(0);
        dryrunLatency(0);
        List<Double> gatewayStarts = new ArrayList<>(List.of(gateway.startupMillis()));
        List<Double> bareStarts = new ArrayList<>(List.of(bare.startupMillis()));
        List<Double> withoutArchive = new ArrayList<>();
        Path jdkArchive = Path.of(System.getProperty("java.home"), "lib", "server", "classes.jsa");
        List<String> cdsWarnings = new ArrayList<>(cdsWarnings(gateway.log()));
        int extra = quick ? 1 : 2;
        for (int i = 0; i < extra; i++) {
            try (ChildJvm again = startGateway("gateway-start-" + (i + 2))) {
                gatewayStarts.add(again.startupMillis());
                cdsWarnings.addAll(cdsWarnings(again.log()));
            }
            try (ChildJvm again = startBare("bare-start-" + (i + 2))) {
                bareStarts.add(again.startupMillis());
            }
            if (Files.isRegularFile(gatewayApp.resolve("gateway.jsa")) && Files.isRegularFile(jdkArchive)) {
                // the last -XX:SharedArchiveFile wins: the JDK's own archive instead of the gateway's
                try (ChildJvm again = startGateway("gateway-start-jdk-cds-" + (i + 1),
                        List.of("-XX:SharedArchiveFile=" + jdkArchive))) {
                    withoutArchive.add(again.startupMillis());
                }
            }
        }
        result.set("gatewayMillis", JSON.valueToTree(gatewayStarts));
        result.set("bareMillis", JSON.valueToTree(bareStarts));
        result.put("gatewayMedianMillis", median(gatewayStarts));
        result.put("bareMedianMillis", median(bareStarts));
        if (!withoutArchive.isEmpty()) {
            result.set("gatewayWithoutAppCdsMillis", JSON.valueToTree(withoutArchive));
            result.put("gatewayWithoutAppCdsMedianMillis", median(withoutArchive));
        }
        result.put("gatewayCdsArchiveUsed", cdsWarnings.isEmpty());
        if (!cdsWarnings.isEmpty()) {
            result.set("cdsWarnings", JSON.valueToTree(cdsWarnings));
            notes.add("The gateway's class-data archive was not (fully) used: " + cdsWarnings.get(0)
                    + " (bench/run creates it; steps.startup.cdsWarnings in the JSON).");
        }
        result.put("readiness", "first 200 of GET /api/info (gateway, through the simulated node at 0 ms) or GET / (bare)");
        result.put("started", "gateway: ops/jvm/gateway (the image's entry point) with ops/jvm/gateway.options and its "
                + "class-data archive; bare Vert.x: java with the same options file, no archive of its own");
        log("  start-up: gateway %s ms, bare %s ms, gateway without its archive %s ms", gatewayStarts, bareStarts,
                withoutArchive);
    }

    private static List<String> readLines(Path log) {
        try {
            return Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return List.of("(" + e + ")");
        }
    }

    /** The JVM's warnings about class-data sharing in a log (an archive it could not map, a class path mismatch). */
    private static List<String> cdsWarnings(Path log) {
        try {
            return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
                    .filter(line -> line.contains("[cds") && (line.contains("warning") || line.contains("error")))
                    .limit(5).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return ProcStats.round(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
    }

    /** bench/download-events: run it, keep its output. */
    private void downloadEventsScript(ObjectNode result) throws Exception {
        Path script = root.resolve("bench/download-events");
        if (!Files.isExecutable(script)) {
            result.put("present", false);
            return;
        }
        result.put("present", true);
        long remaining = Math.max(10, (deadlineNanos - System.nanoTime()) / 1_000_000_000L);
        Path output = work.resolve("download-events.txt");
        Process process = new ProcessBuilder(script.toString()).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        boolean finished = process.waitFor(remaining, TimeUnit.SECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(output);
        result.put("exitCode", finished ? process.exitValue() : -1);
        result.put("timedOut", !finished);
        result.put("output", String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
    }

    static void log(String format, Object... args) {
        System.out.printf("[bench] " + format + "%n", args);
    }

    @Override
    public synchronized void close() {
        for (ChildJvm child : children) {
            child.close();
        }
        children.clear();
        if (upstreamCalls != null) {
            upstreamCalls.close();
        }
        if (simulator != null) {
            simulator.stop();
            simulator = null;
        }
        if (kafka != null) {
            kafka.stop();
            kafka = null;
        }
    }
}
