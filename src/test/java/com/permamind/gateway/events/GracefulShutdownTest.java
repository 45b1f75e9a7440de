package com.permamind.gateway.events;

import static com.permamind.gateway.events.EventsTestSupport.HTTP;
import static com.permamind.gateway.events.EventsTestSupport.deliveredEventIds;
import static com.permamind.gateway.events.EventsTestSupport.eventually;
import static com.permamind.gateway.events.EventsTestSupport.json;
import static com.permamind.gateway.events.EventsTestSupport.ownTopics;
import static com.permamind.gateway.events.EventsTestSupport.readTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.GatewayApplication;
import com.permamind.gateway.ans104.TestWallets;
import com.permamind.gateway.GracefulStop;
import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.RecordedRequest;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.Upstream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful shutdown (issue 7): the gateway in its own JVM, with the shipped JVM options, stopped the
 * way a container is, by SIGTERM, while the simulated node answers in 3 s, so that the stop lands
 * on work under way. Over real HTTP and the real broker:
 * <ul>
 * <li>a read in flight when the stop begins is answered 200;</li>
 * <li>a request that arrives once the stop has begun is refused or answered 503, even one the
 * response cache could answer;</li>
 * <li>the stop is graceful within {@code camel.main.shutdown-timeout}: nothing is forced or
 * interrupted, so the forwarder's delivery under way completes and the producers flush;</li>
 * <li>every download event accepted (202) before the stop is on the topic; what the forwarder had
 * committed stays committed, and a gateway started again delivers every accepted event, repeating
 * at most those of the poll the stop interrupted (at least once: docs/download-events.md).</li>
 * </ul>
 */
class GracefulShutdownTest {

    private static final String SKILL = "bundler";
    private static final String VERSION_BODY = "{\"version\":\"1.0.5\"}";
    private static final long NODE_MILLIS = 3000;
    private static final int FIRST_EVENTS = 2;
    private static final int EVENTS = 12;

    private EmbeddedKafka kafka;
    private RegistrySimulator simulator;
    private Map<String, String> settings;
    private Process child;
    private Path childLog;
    private RunningGateway restarted;
    private boolean passed;

    @BeforeEach
    void start(TestInfo test) throws IOException {
        kafka = EmbeddedKafka.start();
        simulator = EventsTestSupport.startSimulator();
        settings = new HashMap<>(ownTopics(test.getTestMethod().orElseThrow().getName().replace('_', '-')));
        settings.put("download-events.rate-limit.events-per-period", "1000000");
        // the backlog spans several polls, so the stop lands with events of it still on the topic
        settings.put("download-events.forwarder.max-poll-records", "4");
        // created up front, so the first POST does not wait for the broker to create the topic
        kafka.createTopic(settings.get("download-events.topic"), 1);
        kafka.createTopic(settings.get("download-events.dlq-topic"), 1);
        childLog = Files.createTempFile("graceful-stop-gateway", ".log");
    }

    @TempDir
    Path walletDirectory;

    @AfterEach
    void stop() throws IOException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
        }
        if (restarted != null) {
            restarted.close();
        }
        simulator.stop();
        kafka.stop();
        if (passed) {
            Files.deleteIfExists(childLog);
        } else {
            System.err.println("GracefulShutdownTest: the stopped gateway's log is " + childLog);
        }
    }

    @Test
    void sigterm_finishes_the_work_under_way_and_loses_no_event() throws Exception {
        int port = RunningGateway.freePort();
        child = startGatewayJvm(port);
        // an answer in the response cache: once the stop has begun, not even a cache hit is served
        String cached = "http://127.0.0.1:" + port + "/api/info";
        assertEquals(200, HTTP.send(get(cached), HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals("cache", HTTP.send(get(cached), HttpResponse.BodyHandlers.discarding()).headers()
                .firstValue("X-Registry-Source").orElse(""));
        simulator.faults(Upstream.HYPERBEAM).inject(Fault.latency(NODE_MILLIS, 0));

        // a few events the forwarder delivers and commits, one poll at a time, then a backlog
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < FIRST_EVENTS; i++) {
            accepted.add(post(port));
        }
        assertTrue(eventually(() -> deliveredEventIds(simulator).size() >= FIRST_EVENTS, 30_000),
                "the forwarder did not deliver the first events");
        for (int i = FIRST_EVENTS; i < EVENTS; i++) {
            accepted.add(post(port));
        }
        assertTrue(eventually(() -> deliveredEventIds(simulator).size() > FIRST_EVENTS, 10_000),
                "the forwarder did not start on the backlog");

        // a read at the node when the stop begins
        int readsBefore = reads().size();
        CompletableFuture<HttpResponse<String>> inFlight = HTTP.sendAsync(
                get("http://127.0.0.1:" + port + "/api/skills/" + SKILL + "/versions"), HttpResponse.BodyHandlers.ofString());
        assertTrue(eventually(() -> reads().size() > readsBefore, 5_000), "the read never reached the node");

        long stopAsked = System.nanoTime();
        child.destroy(); // SIGTERM, as docker stop and Kubernetes send it
        // the stop has begun once the gateway says so (a loaded machine takes a moment to get there)
        assertTrue(eventually(() -> log().contains(GracefulStop.STOPPING), 30_000),
                "the gateway never began to stop:\n" + tail(log()));
        assertFalse(inFlight.isDone(), "the read was answered before the stop began: nothing was tested");
        String late = lateRequest(cached);
        assertTrue(late.equals("refused") || late.equals("503"),
                "a request arriving once the stop had begun was answered " + late + " (want: refused or 503):\n"
                        + tail(log()));

        HttpResponse<String> read = inFlight.get(30, TimeUnit.SECONDS);
        assertEquals(200, read.statusCode(), "the read in flight at the stop: " + read.body());
        assertEquals("hyperbeam", read.headers().firstValue("X-Registry-Source").orElse(""));
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the gateway did not exit within 60 s of SIGTERM");
        long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAsked);
        String log = log();
        String stopLog = log.substring(log.indexOf(GracefulStop.STOPPING));
        assertTrue(stopLog.contains("(registry-gateway) shutdown in"), "the shutdown did not complete:\n" + tail(log));
        assertFalse(stopLog.contains("Timeout occurred during graceful shutdown"),
                "the shutdown timed out and was forced (" + stopMillis + " ms):\n" + tail(log));
        assertFalse(stopLog.contains("nterrupted"), "the stop interrupted work under way:\n" + tail(log));
        assertFalse(stopLog.contains("could not be delivered"), "a delivery failed during the stop:\n" + tail(log));
        List<String> deliveredBeforeStop = deliveredEventIds(simulator);
        assertTrue(deliveredBeforeStop.size() < EVENTS, "the forwarder had delivered everything: nothing was tested");

        // every accepted event is on the topic
        List<ConsumerRecord<String, byte[]>> records = readTopic(kafka.bootstrapServers(),
                settings.get("download-events.topic"), topic -> topic.size() >= EVENTS, 30_000);
        Map<String, ConsumerRecord<String, byte[]>> byEventId = new LinkedHashMap<>();
        records.forEach(record -> byEventId.put(
                json(new String(record.value(), StandardCharsets.UTF_8)).path("eventId").asText(), record));
        assertEquals(new HashSet<>(accepted), byEventId.keySet(), "the topic holds exactly the accepted events");

        // the first events, delivered in polls of their own, are committed
        Map<TopicPartition, OffsetAndMetadata> committed =
                committedOffsets(settings.get("download-events.forwarder.group-id"));
        for (String eventId : accepted.subList(0, FIRST_EVENTS)) {
            ConsumerRecord<String, byte[]> record = byEventId.get(eventId);
            OffsetAndMetadata offset = committed.get(new TopicPartition(record.topic(), record.partition()));
            assertTrue(offset != null && offset.offset() > record.offset(), "event " + eventId + " (offset "
                    + record.offset() + ") was delivered before the stop but is not committed: " + committed);
        }

        // started again, the forwarder delivers every accepted event; repeats only from before the stop
        simulator.faults(Upstream.HYPERBEAM).clear();
        settings.put("camel.management.port", Integer.toString(RunningGateway.freePort()));
        restarted = RunningGateway.start(simulator, kafka, settings);
        assertTrue(eventually(() -> new HashSet<>(deliveredEventIds(simulator)).containsAll(accepted), 60_000),
                "after the restart only " + new HashSet<>(deliveredEventIds(simulator)).size() + " of " + EVENTS
                        + " were delivered");
        List<String> deliveries = deliveredEventIds(simulator);
        Set<String> seen = new HashSet<>();
        for (String eventId : deliveries) {
            if (!seen.add(eventId)) {
                assertTrue(deliveredBeforeStop.contains(eventId) && !accepted.subList(0, FIRST_EVENTS).contains(eventId),
                        "event " + eventId + " was delivered again, though committed or never delivered before");
            }
        }
        passed = true;
    }

    /**
     * {@code java @ops/jvm/gateway.options -cp <this class path> GatewayApplication}, configured by the
     * environment, logging as shipped (not as the tests log).
     */
    private Process startGatewayJvm(int port) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@ops/jvm/gateway.options", "-Dlog4j2.configurationFile=src/main/resources/log4j2.properties",
                "-cp", System.getProperty("java.class.path"),
                GatewayApplication.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(childLog.toFile());
        Map<String, String> env = builder.environment();
        env.put("GATEWAY_HOST", "127.0.0.1");
        env.put("GATEWAY_PORT", Integer.toString(port));
        env.put("GATEWAY_MANAGEMENT_PORT", Integer.toString(RunningGateway.freePort()));
        env.put("HYPERBEAM_NODES", simulator.hyperbeamUrl());
        env.put("AO_CU_URL", simulator.cuUrl());
        env.put("REGISTRY_PROCESS_ID", simulator.processId());
        env.put("REGISTRY_LUA_MODULE_ID", simulator.moduleId());
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("DOWNLOAD_EVENTS_TOPIC", settings.get("download-events.topic"));
        env.put("DOWNLOAD_EVENTS_DLQ_TOPIC", settings.get("download-events.dlq-topic"));
        env.put("DOWNLOAD_FORWARDER_GROUP_ID", settings.get("download-events.forwarder.group-id"));
        env.put("DOWNLOAD_FORWARDER_MAX_POLL_RECORDS", settings.get("download-events.forwarder.max-poll-records"));
        env.put("DOWNLOAD_EVENTS_RATE_LIMIT", "1000000");
        env.put("DOWNLOAD_EVENTS_CLIENT_HASH_SECRET", EventsTestSupport.CLIENT_HASH_SECRET);
        env.put("GATEWAY_CLOCK_PINNED_AT", Long.toString(RegistryFixture.load().now()));
        env.put("ARWEAVE_DRIFT_CHECK_ENABLED", "false");
        env.put("DOWNLOAD_EVENTS_WALLET_FILE", TestWallets.walletFile(walletDirectory).toString());
        Process process = builder.start();
        HttpRequest ready = get("http://127.0.0.1:" + port + "/api/openapi.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway JVM exited while starting:\n" + tail(log()));
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the gateway JVM was not ready within 120 s:\n" + tail(log()));
    }

    // an accepted event's id; a 503 (Kafka slow to answer the producer's first request on a loaded
    // machine) is retried as a client would
    private static String post(int port) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/skills/" + SKILL + "/downloads"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(VERSION_BODY)).build();
        HttpResponse<String> answer = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        for (int retry = 0; retry < 5 && answer.statusCode() == 503; retry++) {
            Thread.sleep(500);
            answer = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(202, answer.statusCode(), answer.body());
        return json(answer.body()).path("eventId").asText();
    }

    // a GET on a new connection: "refused", or the status it got
    private static String lateRequest(String url) {
        try {
            return Integer.toString(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build()
                    .send(get(url), HttpResponse.BodyHandlers.discarding())
                    .statusCode());
        } catch (ConnectException e) {
            return "refused";
        } catch (IOException e) {
            return "failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build();
    }

    // the node's reads, not the forwarder's pushes
    private List<RecordedRequest> reads() {
        return simulator.requests(Upstream.HYPERBEAM).stream().filter(request -> "GET".equals(request.method())).toList();
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOffsets(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        }
    }

    private String log() {
        try {
            return Files.readString(childLog, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
