package com.permamind.gateway.events;

import org.apache.camel.component.kafka.consumer.CommitManager;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;

/**
 * Keeps camel-kafka from committing the forwarder's offsets: being neither of the component's own
 * commit factories, this one makes the consumer use its no-op commit manager. The component would
 * commit a whole batch, past events that failed; the forwarder commits instead, per partition up to
 * its first unfinished event ({@link ForwarderBatch#settle}).
 */
public class ForwarderOffsets implements KafkaManualCommitFactory {

    @Override
    public KafkaManualCommit newInstance(CamelExchangePayload exchange, KafkaRecordPayload record,
            CommitManager ignored) {
        return () -> {
            throw new UnsupportedOperationException("the forwarder commits per batch (ForwarderBatch.settle)");
        };
    }
}
