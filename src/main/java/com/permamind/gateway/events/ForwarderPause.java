package com.permamind.gateway.events;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.camel.component.kafka.consumer.errorhandler.KafkaConsumerListener;
import org.apache.camel.component.kafka.consumer.support.ProcessingResult;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder's {@code pausable} listener: when an event could not be delivered even after its
 * retries, the consumer stops fetching and waits, polling only to stay in its group, until the
 * route's check says HyperBEAM can be called again; it then resumes at that very event. So an
 * outage leaves the events on the topic instead of draining them into the dead-letter topic.
 *
 * <p>Camel's own listener seeks to the beginning or the end of the topic when it pauses; this one
 * seeks every partition back to the first event it has not finished, because the records fetched
 * with the failed one are dropped by the consumer when it pauses. State is kept per consumer thread,
 * so the forwarder may run several consumers.
 */
public class ForwarderPause extends KafkaConsumerListener {

    private static final Logger LOG = LoggerFactory.getLogger(ForwarderPause.class);

    private final long minimumPauseMillis;
    private final ThreadLocal<ConsumerState> states = ThreadLocal.withInitial(ConsumerState::new);
    private final AtomicLong pauses = new AtomicLong();
    private volatile Predicate<Object> resumable = ignored -> true;

    /** @param minimumPauseMillis the least time a pause lasts, so a failing node is not retried in a tight loop */
    public ForwarderPause(long minimumPauseMillis) {
        this.minimumPauseMillis = minimumPauseMillis;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void setResumableCheck(Predicate<?> check) {
        super.setResumableCheck(check);
        this.resumable = (Predicate<Object>) check;
    }

    // each consumer thread registers its own Kafka consumer before polling, and reports on that thread
    @Override
    public void setConsumer(Consumer<?, ?> consumer) {
        super.setConsumer(consumer);
        states.get().consumer = consumer;
    }

    @Override
    public Consumer<?, ?> getConsumer() {
        return states.get().consumer;
    }

    /** Records how far each partition got; on a failure, pauses and rewinds to the failed event. */
    @Override
    public boolean afterProcess(ProcessingResult result) {
        ConsumerState state = states.get();
        if (result.getTopic() == null) {
            return true;
        }
        TopicPartition partition = new TopicPartition(result.getTopic(), result.getPartition());
        if (!result.isFailed()) {
            state.nextOffsets.put(partition, result.getOffset() + 1);
            return true;
        }
        state.nextOffsets.put(partition, result.getOffset());
        Consumer<?, ?> consumer = state.consumer;
        // the route commits once per poll: keep what this partition delivered before the failure
        consumer.commitAsync(Map.of(partition, new OffsetAndMetadata(result.getOffset())), null);
        consumer.pause(consumer.assignment());
        rewind(state, consumer.assignment());
        state.paused = true;
        state.pausedAt = System.currentTimeMillis();
        pauses.incrementAndGet();
        LOG.warn("Download forwarder paused at {} offset {}: the event could not be delivered after its retries; "
                + "it is tried again once HyperBEAM can be called", partition, result.getOffset());
        return false;
    }

    /** Called after every poll: true lets the polled records through, false drops them (we rewind). */
    @Override
    public boolean afterConsume(Object ignored) {
        ConsumerState state = states.get();
        if (!state.paused) {
            return true;
        }
        Consumer<?, ?> consumer = state.consumer;
        // partitions assigned during the pause (a rebalance, a reconnect) fetch again: hold them too
        Set<TopicPartition> fetching = new HashSet<>(consumer.assignment());
        fetching.removeAll(consumer.paused());
        if (!fetching.isEmpty()) {
            consumer.pause(fetching);
            rewind(state, fetching);
        }
        if (System.currentTimeMillis() - state.pausedAt < minimumPauseMillis || !resumable.test(null)) {
            return false;
        }
        consumer.resume(consumer.assignment());
        state.paused = false;
        LOG.info("Download forwarder resumed after {} ms", System.currentTimeMillis() - state.pausedAt);
        return true;
    }

    /** How many times a consumer has paused since start. */
    public long pauses() {
        return pauses.get();
    }

    private static void rewind(ConsumerState state, Set<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = null;
        for (TopicPartition partition : partitions) {
            Long next = state.nextOffsets.get(partition);
            if (next == null) {
                if (committed == null) {
                    committed = state.consumer.committed(partitions);
                }
                OffsetAndMetadata offset = committed.get(partition);
                next = offset == null ? null : offset.offset();
            }
            if (next == null) {
                // nothing processed or committed yet: where auto.offset.reset=earliest starts
                state.consumer.seekToBeginning(List.of(partition));
            } else {
                state.consumer.seek(partition, next);
            }
        }
    }

    private static final class ConsumerState {
        Consumer<?, ?> consumer;
        boolean paused;
        long pausedAt;
        final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
    }
}
