package com.permamind.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.dev.RegistryFixture;
import com.permamind.gateway.simulator.DryRunClient;
import com.permamind.gateway.simulator.LuaStateMode;
import com.permamind.gateway.simulator.ReceivedMessage;
import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assertions;

/** What the download events tests share: the simulator, HTTP calls, and reading and writing topics. */
final class EventsTestSupport {

    static final String CLIENT_HASH_SECRET = "test-secret-for-client-hashes";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    static final String SCHEMA_FILE = "docs/download-event.schema.json";

    private EventsTestSupport() {
    }

    /** The simulator over the fixture, state decoded once: these tests measure the gateway, not Lua decoding. */
    static RegistrySimulator startSimulator() {
        return new RegistrySimulator(SimulatorConfig.builder(RegistryFixture.defaultPath())
                .pinNowToStateFile().luaState(LuaStateMode.DECODED).build()).start();
    }

    /** Stops what a test class started, in the order it depends on them; any of them may be missing. */
    static void stopAll(RunningGateway gateway, RegistrySimulator simulator, EmbeddedKafka kafka) {
        if (gateway != null) {
            gateway.close();
        }
        if (simulator != null) {
            simulator.stop();
        }
        if (kafka != null) {
            kafka.stop();
        }
    }

    /** Settings that give one test its own topics and consumer group on a shared broker. */
    static Map<String, String> ownTopics(String name) {
        String unique = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        return Map.of(
                "download-events.topic", "events." + unique,
                "download-events.dlq-topic", "events." + unique + ".dlq",
                "download-events.forwarder.group-id", "forwarder." + unique);
    }

    static HttpResponse<String> postDownload(RunningGateway gateway, String skill, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url("/api/skills/" + skill + "/downloads")))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> get(RunningGateway gateway, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url(path))).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A version's download count as a dryrun reads it from the simulated process (the latest version when null). */
    static int dryrunDownloadCount(RegistrySimulator simulator, String skill, String version) {
        return new DryRunClient(simulator).downloadCount(skill, version);
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The event ids of the Record-Download messages the simulated process took (by either transport),
     * each message once: a message's data is its event's id, and a repeated message id is refused.
     */
    static List<String> deliveredEventIds(RegistrySimulator simulator) {
        List<String> ids = new ArrayList<>();
        for (ReceivedMessage message : simulator.messages()) {
            if ("Record-Download".equals(message.tag("Action"))) {
                ids.add(message.data());
            }
        }
        return ids;
    }

    /** Reads a topic from the start with a fresh group until {@code enough} holds or the time is up. */
    static List<ConsumerRecord<String, byte[]>> readTopic(String bootstrap, String topic,
            Predicate<List<ConsumerRecord<String, byte[]>>> enough, long timeoutMs) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (!enough.test(records) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    static void produce(String bootstrap, String topic, String key, byte[] value) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not produce to " + topic, e);
        }
    }

    static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The messages of docs/download-event.schema.json about this event; empty when it conforms. */
    static Set<String> schemaViolations(JsonNode event) {
        return new HashSet<>(SchemaHolder.SCHEMA.validate(event).stream().map(ValidationMessage::getMessage).toList());
    }

    /** The event id of a POST's 202 answer. */
    static String eventIdOf(HttpResponse<String> answer) {
        Assertions.assertEquals(202, answer.statusCode(), answer.body());
        return json(answer.body()).path("eventId").asText();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the condition holds; returns whether it did in time. */
    static boolean eventually(Supplier<Boolean> condition, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            if (Objects.equals(condition.get(), Boolean.TRUE)) {
                return true;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return Objects.equals(condition.get(), Boolean.TRUE);
    }

    private static final class SchemaHolder {
        static final JsonSchema SCHEMA = load();

        private static JsonSchema load() {
            try (InputStream in = Files.newInputStream(Path.of(SCHEMA_FILE))) {
                return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(SCHEMA_FILE + " cannot be read", e);
            }
        }
    }
}
