package com.permamind.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.GracefulStop;
import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.dev.LocalCluster;
import com.permamind.gateway.dev.LocalCluster.Gateway;
import com.permamind.gateway.dev.Processes;
import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.simulator.ReceivedMessage;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.SimulatorConfig;
import com.permamind.gateway.simulator.Upstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Several gateways (issue 29): two gateway JVMs, started from the built classes with the shipped JVM
 * options, behind HAProxy running ops/haproxy/haproxy.cfg, on the real broker (the event topic with
 * 6 partitions) and the simulated network, all as {@code ops/cluster} runs them ({@link LocalCluster}).
 * One cluster serves every test; each test starts with both gateways up.
 *
 * <p>Exactly once is read from the simulated process: each accepted event's id must be among the
 * messages it took exactly once (it refuses a repeated message id with 409, and the forwarder signs
 * an event the same way every time, so a redelivery is a repeat), and each skill's download count in
 * the process's state must have grown by exactly the events posted for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutTest {

    private static final String GROUP = "registry-gateway.download-forwarder";
    /** Fixture skills and versions the events are for, spread so each skill's count is checked. */
    private static final Map<String, String> SKILLS = new LinkedHashMap<>(Map.of("bundler", "1.0.5", "cron", "1.2.1",
            "dao", "0.3.1", "bridge-cache", "0.3.4", "dex", "0.0.4"));
    private static final String[] READS = {"/api/info", "/api/skills/bundler", "/api/skills/cron/versions",
            "/api/skills/search?q=ao", "/api/stats/downloads", "/api/skills?limit=5", "/api/skills/dao/downloads"};
    /** How long posting a test's events may take, in all. */
    private static final Duration POSTING_LIMIT = Duration.ofSeconds(300);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private EmbeddedKafka kafka;
    private RegistrySimulator simulator;
    private LocalCluster cluster;
    private Path work;
    private volatile boolean failed;

    /** The cluster's logs are kept when a test failed, and said where. */
    @RegisterExtension
    final TestWatcher keepLogsOfFailures = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            failed = true;
        }
    };

    @BeforeAll
    void startCluster() throws Exception {
        work = Files.createTempDirectory("scale-out-");
        kafka = EmbeddedKafka.start(0, false);
        simulator = new RegistrySimulator(SimulatorConfig.builder(RegistryFixture.defaultPath()).pinNowToStateFile()
                .build()).start();
        Path root = Path.of("").toAbsolutePath();
        Map<String, String> settings = new HashMap<>();
        settings.put("GATEWAY_CLOCK_PINNED_AT", Long.toString(RegistryFixture.load().now()));
        // thousands of events from one test client: its limit is not what is tested here
        settings.put("DOWNLOAD_EVENTS_RATE_LIMIT", "100000000");
        // the broker shares this JVM, and the machine with two gateways signing: a POST waits for its
        // acknowledgement rather than be answered 503 (after which Kafka may still hold the event)
        settings.put("DOWNLOAD_EVENTS_MAX_BLOCK_MILLIS", "10000");
        settings.put("DOWNLOAD_EVENTS_REQUEST_TIMEOUT_MILLIS", "15000");
        settings.put("DOWNLOAD_EVENTS_DELIVERY_TIMEOUT_MILLIS", "30000");
        cluster = LocalCluster.start(root, work, simulator, kafka, 2,
                LocalCluster.Launch.classes(root, System.getProperty("java.class.path")), settings, 0);
    }

    @AfterAll
    void stopCluster() throws IOException {
        if (cluster != null) {
            if (failed) {
                reportGateways();
            }
            cluster.close();
        }
        if (simulator != null) {
            simulator.stop();
        }
        if (kafka != null) {
            kafka.stop();
        }
        if (failed || cluster == null) {
            System.err.println("ScaleOutTest: the gateways' and HAProxy's logs are in " + work);
        } else {
            try (var files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** Both gateways up and in HAProxy's pool (a test before may have stopped one), and fresh counters. */
    @BeforeEach
    void bothGatewaysUp() throws Exception {
        for (Gateway gateway : cluster.gateways()) {
            if (gateway.stopAsked()) {
                assertTrue(gateway.awaitExit(Duration.ofSeconds(60)), gateway.name() + " did not exit within 60 s");
            }
            if (!gateway.alive()) {
                gateway.start();
            }
        }
        for (Gateway gateway : cluster.gateways()) {
            gateway.awaitReady(Duration.ofSeconds(180));
            cluster.awaitServer(gateway, "UP", Duration.ofSeconds(30));
        }
        // the group settled with both members, so a test does not begin in the middle of a rebalance
        assertTrue(eventually(this::groupSettled, 120_000), "the forwarder group has not settled on 2 members: "
                + groupMembers());
        simulator.resetCounters();
    }

    @Test
    @Order(1)
    void two_gateways_consume_the_event_topic_in_one_group_and_deliver_10000_events_exactly_once() throws Exception {
        Map<String, Set<TopicPartition>> assignment = groupMembers();
        assertEquals(2, assignment.size(), "members of " + GROUP + ": " + assignment);
        Set<TopicPartition> all = new HashSet<>();
        for (Set<TopicPartition> partitions : assignment.values()) {
            assertEquals(3, partitions.size(), "each gateway consumes 3 of the 6 partitions: " + assignment);
            all.addAll(partitions);
        }
        assertEquals(LocalCluster.PARTITIONS, all.size(), "the two gateways hold every partition between them");

        Map<String, Integer> countsBefore = downloadCounts();
        Map<String, String> accepted = postEvents(10_000);
        awaitDelivered(accepted.keySet(), Duration.ofSeconds(240));
        assertDeliveredOnce(accepted, countsBefore);
        for (Gateway gateway : cluster.gateways()) {
            double delivered = metric(gateway, "registry_download_events_total", "outcome=\"delivered\"");
            assertTrue(delivered > 0, gateway.name() + " delivered no event: both must consume");
        }
    }

    @Test
    @Order(2)
    void sigterm_of_one_gateway_mid_run_still_delivers_every_event_exactly_once() throws Exception {
        Map<String, Integer> countsBefore = downloadCounts();
        // the events go on arriving through the other gateway (HAProxy hashes this client to one)
        Map<String, String> accepted = new ConcurrentHashMap<>();
        Gateway stopped = otherThan(postOne(accepted));
        CompletableFuture<Void> posting = inBackground(() -> postEvents(4_000 - 1, accepted));
        awaitDeliveredAtLeast(400);
        int deliveredAtStop = deliveredIds().size();
        stopped.stop();
        assertTrue(stopped.awaitExit(Duration.ofSeconds(60)), stopped.name() + " did not exit within 60 s of SIGTERM");
        posting.get(300, TimeUnit.SECONDS);
        assertTrue(deliveredAtStop < accepted.size(), "everything was delivered before the stop: nothing was tested");
        awaitDelivered(accepted.keySet(), Duration.ofSeconds(240));
        assertDeliveredOnce(accepted, countsBefore);
        System.out.printf("ScaleOutTest: SIGTERM of %s at %,d of %,d events delivered; %s%n", stopped.name(),
                deliveredAtStop, accepted.size(), repeats(accepted.size()));
    }

    @Test
    @Order(3)
    void sigkill_of_one_gateway_mid_run_still_delivers_every_event_exactly_once() throws Exception {
        Map<String, Integer> countsBefore = downloadCounts();
        Map<String, String> accepted = new ConcurrentHashMap<>();
        // not the gateway taking the POSTs: a POST it had taken when killed would get no answer
        Gateway killed = otherThan(postOne(accepted));
        CompletableFuture<Void> posting = inBackground(() -> postEvents(4_000 - 1, accepted));
        awaitDeliveredAtLeast(400);
        int deliveredAtKill = deliveredIds().size();
        killed.kill();
        assertNotEquals(0, killed.exitCode());
        posting.get(300, TimeUnit.SECONDS);
        assertTrue(deliveredAtKill < accepted.size(), "everything was delivered before the kill: nothing was tested");
        // its partitions wait for its session to time out (45 s), then the other gateway takes them
        // over from their last committed offsets, sending again what it had sent but not committed
        awaitDelivered(accepted.keySet(), Duration.ofSeconds(300));
        assertDeliveredOnce(accepted, countsBefore);
        System.out.printf("ScaleOutTest: SIGKILL of %s at %,d of %,d events delivered; %s%n", killed.name(),
                deliveredAtKill, accepted.size(), repeats(accepted.size()));
    }

    @Test
    @Order(4)
    void the_load_balancer_stops_sending_reads_to_a_stopping_gateway_before_it_refuses_them() throws Exception {
        Gateway stopping = cluster.gateway(2);
        Map<String, String> before = cluster.serverStatistics("reads", stopping);
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        AtomicBoolean reading = new AtomicBoolean(true);
        ExecutorService readers = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 8; i++) {
            readers.submit(() -> readUntil(reading, answers));
        }
        try {
            assertTrue(eventually(() -> answers.stream().anyMatch(a -> a.gateway().equals(stopping.name())), 30_000),
                    "gateway-2 served no read before the stop: " + gatewaysOf(answers));
            stopping.stop();
            // HAProxy's readiness checks see DOWN while the gateway still serves (the drain)
            cluster.awaitServer(stopping, "DOWN", Duration.ofSeconds(LocalCluster.STOP_DRAIN_MILLIS / 1000 + 10));
            long outOfPool = System.nanoTime();
            assertTrue(stopping.alive(), "gateway-2 had exited before HAProxy took it out");
            assertTrue(stopping.awaitExit(Duration.ofSeconds(60)), "gateway-2 did not exit within 60 s");
            Thread.sleep(500);
            reading.set(false);
            readers.shutdown();
            assertTrue(readers.awaitTermination(30, TimeUnit.SECONDS));
            String log = stopping.log();
            int draining = log.lastIndexOf(GracefulStop.DRAINING);
            assertTrue(draining >= 0 && draining < log.lastIndexOf(GracefulStop.STOPPING),
                    "readiness must go DOWN before requests are refused:\n" + stopping.tail(20));
            // HAProxy's own count: gateway-2 answered no read 503 (it refuses only after the drain),
            // and no read had to be tried again or sent on to the other gateway
            Map<String, String> after = cluster.serverStatistics("reads", stopping);
            for (String counter : List.of("hrsp_5xx", "eresp", "wretr", "wredis")) {
                assertEquals(before.get(counter), after.get(counter), "HAProxy's " + counter + " of gateway-2 during its stop");
            }
            List<Answer> failed = answers.stream().filter(a -> a.status() != 200).toList();
            assertEquals(List.of(), failed, "reads that failed while gateway-2 stopped");
            // a read sent once HAProxy had taken gateway-2 out went to gateway-1
            List<Answer> late = answers.stream().filter(a -> a.sentNanos() > outOfPool
                    && a.gateway().equals(stopping.name())).toList();
            assertEquals(List.of(), late, "reads HAProxy sent to gateway-2 after taking it out");
            assertTrue(answers.stream().anyMatch(a -> a.sentNanos() > outOfPool), "no read after the stop: nothing was tested");
        } finally {
            reading.set(false);
            readers.shutdownNow();
        }
    }

    @Test
    @Order(5)
    void a_rolling_restart_of_both_gateways_fails_no_client_request() throws Exception {
        Map<String, Integer> countsBefore = downloadCounts();
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        Map<String, String> accepted = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 6; i++) {
            clients.submit(() -> readUntil(running, answers));
        }
        for (int i = 0; i < 2; i++) {
            int poster = i;
            clients.submit(() -> postUntil(running, poster, answers, accepted));
        }
        Map<String, Long> restartedAt = new HashMap<>();
        try {
            Thread.sleep(1000);
            for (Gateway gateway : cluster.gateways()) {
                gateway.stop();
                assertTrue(gateway.awaitExit(Duration.ofSeconds(60)), gateway.name() + " did not exit within 60 s");
                gateway.start();
                gateway.awaitReady(Duration.ofSeconds(180));
                cluster.awaitServer(gateway, "UP", Duration.ofSeconds(30));
                restartedAt.put(gateway.name(), System.nanoTime());
                Thread.sleep(1500);
            }
        } finally {
            running.set(false);
            clients.shutdown();
            assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
        }
        List<Answer> failed = answers.stream().filter(a -> a.status() != 200 && a.status() != 202).toList();
        assertEquals(List.of(), failed, "requests that failed during the rolling restart (of " + answers.size() + ")");
        for (Gateway gateway : cluster.gateways()) {
            assertTrue(answers.stream().anyMatch(a -> a.gateway().equals(gateway.name())
                            && a.sentNanos() > restartedAt.get(gateway.name())),
                    gateway.name() + " served nothing once restarted: " + gatewaysOf(answers));
        }
        assertTrue(accepted.size() > 50, "too few events posted during the restart: " + accepted.size());
        awaitDelivered(accepted.keySet(), Duration.ofSeconds(180));
        assertDeliveredOnce(accepted, countsBefore);
    }

    /**
     * What a failed run leaves for whoever reads CI's output: each gateway's log tail here, and the
     * threads of each one still running (virtual ones included) in the kept work directory.
     */
    private void reportGateways() {
        for (Gateway gateway : cluster.gateways()) {
            if (gateway.alive()) {
                System.err.println("ScaleOutTest: threads of " + gateway.name() + ": " + Processes.jcmd(gateway.pid(),
                        "Thread.dump_to_file", work.resolve(gateway.name() + "-threads.txt").toString()));
            }
            System.err.println("ScaleOutTest: the end of " + gateway.name() + "'s log:\n" + gateway.tail(40));
        }
    }

    // --- clients ----------------------------------------------------------------------------------

    /** What a client got: the status (0: no answer), which gateway answered, when it was sent. */
    record Answer(String request, int status, String gateway, long sentNanos, String error) {
    }

    private void readUntil(AtomicBoolean running, Collection<Answer> answers) {
        int i = 0;
        while (running.get()) {
            String path = READS[i++ % READS.length];
            answers.add(send(HttpRequest.newBuilder(URI.create(cluster.url(path))).timeout(Duration.ofSeconds(30)).build(),
                    "GET " + path));
            pause(20);
        }
    }

    private void postUntil(AtomicBoolean running, int poster, Collection<Answer> answers, Map<String, String> accepted) {
        List<String> skills = new ArrayList<>(SKILLS.keySet());
        int i = poster;
        while (running.get()) {
            String skill = skills.get(i++ % skills.size());
            HttpRequest post = eventRequest(skill);
            long sent = System.nanoTime();
            try {
                HttpResponse<String> response = HTTP.send(post, HttpResponse.BodyHandlers.ofString());
                String gateway = response.headers().firstValue("X-Gateway").orElse("");
                answers.add(new Answer("POST " + skill, response.statusCode(), gateway, sent, response.statusCode() == 202
                        ? "" : response.body()));
                if (response.statusCode() == 202) {
                    accepted.put(JSON.readTree(response.body()).path("eventId").asText(), skill);
                }
            } catch (IOException e) {
                answers.add(new Answer("POST " + skill, 0, "", sent, e.toString()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            pause(40);
        }
    }

    private static Answer send(HttpRequest request, String what) {
        long sent = System.nanoTime();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(what, response.statusCode(), response.headers().firstValue("X-Gateway").orElse(""), sent,
                    response.statusCode() == 200 ? "" : response.body());
        } catch (IOException e) {
            return new Answer(what, 0, "", sent, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(what, 0, "", sent, "interrupted");
        }
    }

    private HttpRequest eventRequest(String skill) {
        return HttpRequest.newBuilder(URI.create(cluster.url("/api/skills/" + skill + "/downloads")))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"version\":\"" + SKILLS.get(skill) + "\"}")).build();
    }

    /** Posts {@code count} events through the load balancer, 16 at a time; every one must be accepted. Event id → skill. */
    private Map<String, String> postEvents(int count) {
        Map<String, String> accepted = new ConcurrentHashMap<>();
        postEvents(count, accepted);
        assertEquals(count, accepted.size());
        return accepted;
    }

    private void postEvents(int count, Map<String, String> accepted) {
        List<String> skills = new ArrayList<>(SKILLS.keySet());
        ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<Void>> posts = new ArrayList<>();
        long deadline = System.nanoTime() + POSTING_LIMIT.toNanos();
        try {
            for (int i = 0; i < count; i++) {
                String skill = skills.get(i % skills.size());
                // a gateway that takes POSTs but answers none would otherwise hold this loop for hours
                if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw new AssertionError("posting " + count + " events took over " + POSTING_LIMIT.toSeconds()
                            + " s: " + i + " sent, " + accepted.size() + " accepted, " + refused.size() + " refused "
                            + List.copyOf(refused).subList(0, Math.min(5, refused.size())));
                }
                posts.add(HTTP.sendAsync(eventRequest(skill), HttpResponse.BodyHandlers.ofString())
                        .handle((response, failure) -> {
                            inFlight.release();
                            if (failure != null) {
                                refused.add(failure.toString());
                            } else if (response.statusCode() != 202) {
                                refused.add(response.statusCode() + " " + response.body());
                            } else {
                                accepted.put(eventId(response.body()), skill);
                            }
                            return null;
                        }));
            }
            CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("posting events failed", e);
        }
        assertEquals(List.of(), List.copyOf(refused).subList(0, Math.min(5, refused.size())),
                refused.size() + " of " + count + " events were not accepted");
    }

    /** One event through the load balancer; returns the gateway that took it (HAProxy's X-Gateway). */
    private String postOne(Map<String, String> accepted) throws Exception {
        HttpResponse<String> response = HTTP.send(eventRequest("dex"), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), response.body());
        accepted.put(eventId(response.body()), "dex");
        return response.headers().firstValue("X-Gateway").orElseThrow();
    }

    /**
     * On a thread of its own: the common pool has a single thread on 2 cores, which the posting
     * would hold while the HTTP client's own stages wait for it.
     */
    private static CompletableFuture<Void> inBackground(Runnable work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                work.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "scale-out-posting");
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    private Gateway otherThan(String name) {
        return cluster.gateways().stream().filter(g -> !g.name().equals(name)).findFirst().orElseThrow();
    }

    private static String eventId(String body) {
        try {
            return JSON.readTree(body).path("eventId").asText();
        } catch (IOException e) {
            throw new IllegalStateException(body, e);
        }
    }

    /** Pushes the node received against the events: the difference were repeats it refused (409). */
    private String repeats(int events) {
        long pushes = simulator.requests(Upstream.HYPERBEAM).stream().filter(r -> "POST".equals(r.method())).count();
        return String.format("%,d pushes for %,d events: %,d repeats refused as known", pushes, events, pushes - events);
    }

    // --- what the process took --------------------------------------------------------------------

    private List<String> deliveredIds() {
        List<String> ids = new ArrayList<>();
        for (ReceivedMessage message : simulator.messages()) {
            if ("Record-Download".equals(message.tag("Action"))) {
                ids.add(message.data());
            }
        }
        return ids;
    }

    private void awaitDeliveredAtLeast(int count) {
        assertTrue(eventually(() -> deliveredIds().size() >= count, 120_000),
                "the forwarders did not deliver " + count + " events in 120 s (" + deliveredIds().size() + ")");
    }

    private void awaitDelivered(Set<String> eventIds, Duration limit) {
        assertTrue(eventually(() -> new HashSet<>(deliveredIds()).containsAll(eventIds), limit.toMillis()),
                () -> "after " + limit.toSeconds() + " s, " + eventIds.stream().filter(id -> !deliveredIds().contains(id))
                        .count() + " of " + eventIds.size() + " accepted events were not delivered");
    }

    /**
     * Each accepted event taken by the process exactly once, none it was not sent, and each skill's
     * count in the process's state grown by exactly its events.
     */
    private void assertDeliveredOnce(Map<String, String> accepted, Map<String, Integer> countsBefore) {
        Map<String, Long> times = deliveredIds().stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        List<String> repeated = times.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        assertEquals(List.of(), repeated, "events the process counted more than once");
        Set<String> unknown = new HashSet<>(times.keySet());
        unknown.removeAll(accepted.keySet());
        assertEquals(Set.of(), unknown, "messages for events that were not accepted in this test");
        assertEquals(accepted.keySet(), times.keySet(), "the events taken are exactly those accepted");
        Map<String, Integer> countsAfter = downloadCounts();
        Map<String, Long> posted = accepted.values().stream().collect(Collectors.groupingBy(s -> s, TreeMap::new,
                Collectors.counting()));
        Map<String, Long> grown = new TreeMap<>();
        for (String skill : posted.keySet()) {
            grown.put(skill, (long) (countsAfter.get(skill) - countsBefore.get(skill)));
        }
        assertEquals(posted, grown, "each skill's download count in the process grew by its events");
    }

    private Map<String, Integer> downloadCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        SKILLS.forEach((skill, version) -> counts.put(skill, simulator.downloadCount(skill, version)));
        return counts;
    }

    // --- the gateways ---------------------------------------------------------------------------------

    /** Two members holding the 6 partitions between them. */
    private boolean groupSettled() {
        Map<String, Set<TopicPartition>> members = groupMembers();
        return members.size() == 2 && members.values().stream().mapToInt(Set::size).sum() == LocalCluster.PARTITIONS;
    }

    /** Each member of the forwarder's group (by client id) and the partitions it holds. */
    private Map<String, Set<TopicPartition>> groupMembers() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS)
                    .get(GROUP);
            Map<String, Set<TopicPartition>> members = new TreeMap<>();
            for (MemberDescription member : group.members()) {
                members.put(member.host() + "/" + member.consumerId(), member.assignment().topicPartitions());
            }
            return members;
        } catch (Exception e) {
            return Map.of("unknown: " + e, Set.of());
        }
    }

    /** The sum of a meter's samples whose labels contain {@code labels}, from the gateway's /observe/metrics. */
    private static double metric(Gateway gateway, String name, String labels) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.managementUrl("/observe/metrics")))
                        .timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(line -> line.startsWith(name + "{") && line.contains(labels))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static Map<String, Long> gatewaysOf(Collection<Answer> answers) {
        return answers.stream().collect(Collectors.groupingBy(Answer::gateway, TreeMap::new, Collectors.counting()));
    }

    private static boolean eventually(BooleanSupplier condition, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            pause(200);
        }
        return condition.getAsBoolean();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
