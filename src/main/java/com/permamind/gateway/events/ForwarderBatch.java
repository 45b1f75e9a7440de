package com.permamind.gateway.events;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll of the forwarder's consumer (camel-kafka batching): its events are split out to be
 * delivered at the same time, each with its own retries; this strategy notes which of them were
 * finished (delivered, or parked), and {@link #settle} then commits every partition up to its first
 * unfinished event, or, when there is one, pauses the consumer there ({@link ForwarderPause}).
 *
 * <p>Events of one partition reach the registry process out of order within a poll: each records a
 * download of its own, so only the topic needs the order (for its readers).
 */
public class ForwarderBatch implements AggregationStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(ForwarderBatch.class);
    private static final String PROGRESS = "forwarderBatchProgress";

    private final ForwarderPause pause;

    public ForwarderBatch(ForwarderPause pause) {
        this.pause = pause;
    }

    /**
     * The events to deliver: the records of the poll, but those fetched before the consumer paused
     * and rewound, as they come again from where it rewound to.
     */
    public List<Message> events(Exchange batch) {
        @SuppressWarnings("unchecked")
        List<Exchange> polled = batch.getMessage().getBody(List.class);
        List<Exchange> records = polled.stream()
                .filter(record -> !pause.fetchedBeforeRewind(record.getClock().getCreated())).toList();
        if (records.size() < polled.size()) {
            LOG.debug("{} events fetched before the forwarder paused are left: they come again",
                    polled.size() - records.size());
        }
        Progress progress = new Progress(records);
        batch.setProperty(PROGRESS, progress);
        if (records.size() > 0) {
            pause.holding(Arrays.stream(progress.timestamps).min().getAsLong());
        }
        return records.stream().map(Exchange::getMessage).toList();
    }

    /** Notes whether this event was finished; a failure stays with the batch, not the split. */
    @Override
    public Exchange aggregate(Exchange previous, Exchange event, Exchange batch) {
        Progress progress = batch.getProperty(PROGRESS, Progress.class);
        int index = event.getProperty(Exchange.SPLIT_INDEX, Integer.class);
        if (event.getException() != null) {
            progress.unfinished[index] = true;
            event.setException(null);
        }
        return event;
    }

    @Override
    public Exchange aggregate(Exchange previous, Exchange event) {
        throw new IllegalStateException("the forwarder's batch strategy needs the batch exchange");
    }

    /** Commits past what was finished; pauses at the first unfinished event of each partition. */
    public void settle(Exchange batch) {
        Progress progress = batch.getProperty(PROGRESS, Progress.class);
        if (progress.partitions.length == 0) {
            return;
        }
        Map<TopicPartition, Long> next = new HashMap<>();
        Map<TopicPartition, Long> firstUnfinished = new HashMap<>();
        long oldestUnfinishedAt = Long.MAX_VALUE;
        for (int i = 0; i < progress.partitions.length; i++) {
            next.merge(progress.partitions[i], progress.offsets[i] + 1, Math::max);
            if (progress.unfinished[i]) {
                firstUnfinished.merge(progress.partitions[i], progress.offsets[i], Math::min);
                oldestUnfinishedAt = Math.min(oldestUnfinishedAt, progress.timestamps[i]);
            }
        }
        next.putAll(firstUnfinished);
        if (firstUnfinished.isEmpty()) {
            pause.finished(next);
        } else {
            pause.pauseAt(next, firstUnfinished.keySet(), oldestUnfinishedAt);
        }
    }

    private static final class Progress {
        final TopicPartition[] partitions;
        final long[] offsets;
        /** When each record was put on the topic (the producer's time), for the lag. */
        final long[] timestamps;
        final boolean[] unfinished;

        Progress(List<Exchange> records) {
            partitions = new TopicPartition[records.size()];
            offsets = new long[records.size()];
            timestamps = new long[records.size()];
            unfinished = new boolean[records.size()];
            for (int i = 0; i < records.size(); i++) {
                Message record = records.get(i).getMessage();
                partitions[i] = new TopicPartition(record.getHeader(KafkaConstants.TOPIC, String.class),
                        record.getHeader(KafkaConstants.PARTITION, Integer.class));
                offsets[i] = record.getHeader(KafkaConstants.OFFSET, Long.class);
                Long timestamp = record.getHeader(KafkaConstants.TIMESTAMP, Long.class);
                timestamps[i] = timestamp == null ? System.currentTimeMillis() : timestamp;
            }
        }
    }
}
