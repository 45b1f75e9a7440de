package com.permamind.gateway.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {

    private static final int DELIVERY_TIMEOUT_MS = 3_000;
    private static final int MAX_BLOCK_MS = 2_000;
    // scheduling and timer granularity on a shared 2-core machine
    private static final long SLACK_MS = 3_000;

    private EmbeddedKafka kafka;

    @BeforeEach
    void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterEach
    void stopKafka() {
        kafka.stop();
    }

    @Test
    void recordsProducedWithAcksAllAndIdempotenceAreConsumedBackByAGroup() throws Exception {
        kafka.createTopic("orders", 2);
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("orders", "key-" + i, "value-" + i)).get(10, TimeUnit.SECONDS);
            }
        }

        List<String> values = consumeValues("orders", 10);

        assertEquals(10, values.size());
        assertTrue(values.containsAll(List.of("value-0", "value-5", "value-9")), values::toString);
    }

    @Test
    void producerFailsWithinDeliveryTimeoutWhileBrokerIsDown() throws Exception {
        kafka.createTopic("orders", 1);
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>("orders", "before")).get(10, TimeUnit.SECONDS);
            kafka.stopBroker();

            long startedAt = System.nanoTime();
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("orders", "while-down")).get(30, TimeUnit.SECONDS));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);

            assertInstanceOf(TimeoutException.class, failure.getCause());
            assertTrue(elapsedMs < DELIVERY_TIMEOUT_MS + SLACK_MS, "failed only after " + elapsedMs + " ms");
        }
    }

    @Test
    void producerThatCannotReachTheBrokerGivesUpAfterMaxBlock() {
        kafka.stopBroker();
        try (KafkaProducer<String, String> producer = producer()) {
            long startedAt = System.nanoTime();
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("orders", "never")).get(30, TimeUnit.SECONDS));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);

            assertInstanceOf(TimeoutException.class, failure.getCause());
            assertTrue(elapsedMs < MAX_BLOCK_MS + SLACK_MS, "failed only after " + elapsedMs + " ms");
        }
    }

    @Test
    void brokerStartedAgainKeepsItsPortAndDataAndAcceptsRecordsFromAProducerThatFailedMeanwhile() throws Exception {
        kafka.createTopic("orders", 1);
        // the producer keeps its bootstrap address, so reaching the broker again proves the port is the same
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>("orders", "before-stop")).get(10, TimeUnit.SECONDS);
            kafka.stopBroker();
            assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("orders", "while-down")).get(30, TimeUnit.SECONDS));

            kafka.startBroker();
            producer.send(new ProducerRecord<>("orders", "after-start")).get(10, TimeUnit.SECONDS);
        }

        assertEquals(List.of("before-stop", "after-start"), consumeValues("orders", 2));
    }

    private KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS),
                new StringSerializer(), new StringSerializer());
    }

    private List<String> consumeValues(String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
