package com.permamind.gateway.events;

import static com.permamind.gateway.events.EventsTestSupport.produce;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.dev.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.component.kafka.consumer.support.ProcessingResult;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A batch that failed as a whole, with a real consumer on a real broker: camel-kafka's own listener
 * pauses every partition and seeks to the beginning, and nothing resumes them; the forwarder's
 * pauses at what was committed and resumes after its pause.
 */
class ForwarderPauseTest {

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.stop();
    }

    @Test
    void a_failed_batch_pauses_at_what_was_committed_and_the_partitions_resume() throws Exception {
        String topic = "failed-batch-" + UUID.randomUUID();
        for (int i = 0; i < 5; i++) {
            produce(kafka.bootstrapServers(), topic, "bundler", ("event " + i).getBytes(StandardCharsets.UTF_8));
        }
        ForwarderPause pause = new ForwarderPause(300, 300);
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(topic));
            pause.setConsumer(consumer);
            List<ConsumerRecord<String, byte[]>> first = pollUntil(consumer, 5);
            assertEquals(5, first.size());
            TopicPartition partition = new TopicPartition(topic, 0);
            // the first two were finished and committed before the batch after them failed
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(2)));

            boolean carryOn = pause.afterProcess(new ProcessingResult(false, true));

            assertFalse(carryOn);
            assertEquals(consumer.assignment(), consumer.paused(), "every partition paused");
            assertEquals(2, consumer.position(partition), "at what was committed, not at the beginning");
            assertFalse(pause.afterConsume(null), "no resuming before the pause is over");
            Thread.sleep(400);
            assertTrue(pause.afterConsume(null));
            assertEquals(Set.of(), consumer.paused(), "resumed");
            List<ConsumerRecord<String, byte[]>> again = pollUntil(consumer, 3);
            assertEquals(List.of(2L, 3L, 4L), again.stream().map(ConsumerRecord::offset).toList());
        }
    }

    @Test
    void a_batch_that_did_not_fail_carries_on() {
        assertTrue(new ForwarderPause(300, 300).afterProcess(new ProcessingResult(false, false)));
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "pause-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static List<ConsumerRecord<String, byte[]>> pollUntil(KafkaConsumer<String, byte[]> consumer, int count) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (records.size() < count && System.currentTimeMillis() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }
}
