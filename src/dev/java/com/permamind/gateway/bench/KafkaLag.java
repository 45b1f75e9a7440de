package com.permamind.gateway.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The forwarder's lag on the download-events topic, read from the broker: the topic's end offsets
 * minus the offsets committed by each consumer group that consumes it. It does not depend on how
 * the forwarder is written, only on its committing after delivery (contract section 6).
 */
final class KafkaLag implements AutoCloseable {

    /** End offset of the topic and, per consumer group with commits on it, the committed offset (sums over partitions). */
    record Sample(long endOffset, Map<String, Long> committed) {
        long worstLag() {
            return committed.values().stream().mapToLong(c -> endOffset - c).max().orElse(endOffset);
        }
    }

    private final Admin admin;
    private final String topic;

    KafkaLag(String bootstrapServers, String topic) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000));
        this.topic = topic;
    }

    Sample sample() throws Exception {
        Map<String, TopicDescription> described = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(5, TimeUnit.SECONDS);
        List<TopicPartition> partitions = described.get(topic).partitions().stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        long end = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                .all().get(5, TimeUnit.SECONDS).values().stream().mapToLong(info -> info.offset()).sum();
        Map<String, Long> committed = new HashMap<>();
        for (ConsumerGroupListing group : admin.listConsumerGroups().all().get(5, TimeUnit.SECONDS)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group.groupId())
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            long sum = 0;
            boolean consumesTopic = false;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> offset : offsets.entrySet()) {
                if (offset.getKey().topic().equals(topic) && offset.getValue() != null) {
                    sum += offset.getValue().offset();
                    consumesTopic = true;
                }
            }
            if (consumesTopic) {
                committed.put(group.groupId(), sum);
            }
        }
        return new Sample(end, committed);
    }

    @Override
    public void close() {
        admin.close();
    }
}
