package com.permamind.gateway.events;

import java.util.Map;
import org.apache.camel.Header;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.CommitManager;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder's offsets: committed by the route, and only by the route, past events that have
 * been delivered or parked. Being neither of camel-kafka's own commit factories, this one makes the
 * consumer use its no-op commit manager, so the component never commits on its own (it would
 * commit past a failed record).
 *
 * <p>The commit is asynchronous: it rides on the next poll instead of costing a round trip. One
 * lost on a crash only means the events since the last commit are delivered again, which their
 * eventId makes harmless. It must be called on the consumer's thread (the forwarder route is
 * synchronous).
 */
public class ForwarderOffsets implements KafkaManualCommitFactory {

    private static final Logger LOG = LoggerFactory.getLogger(ForwarderOffsets.class);

    @Override
    public KafkaManualCommit newInstance(CamelExchangePayload exchange, KafkaRecordPayload record,
            CommitManager ignored) {
        return () -> exchange.consumer.commitAsync(
                Map.of(record.partition, new OffsetAndMetadata(record.recordOffset + 1)),
                (offsets, failure) -> {
                    if (failure != null) {
                        LOG.warn("committing {} failed, its events may be delivered again: {}", offsets,
                                failure.getMessage());
                    }
                });
    }

    /** Commits the event this exchange carries. */
    public void commit(@Header(KafkaConstants.MANUAL_COMMIT) KafkaManualCommit commit) {
        commit.commit();
    }
}
