package com.permamind.gateway.events;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * with the failed one are dropped by the consumer when it pauses. It also commits what each batch
 * finished ({@link ForwarderBatch#settle}). A batch that failed as a whole (camel-kafka pauses
 * every partition then, and nothing would resume them) pauses the same way, at what was committed.
 * Each pause at the same event lasts twice as long as the one before, up to the maximum: an event
 * that keeps failing holds its partition without a send every second. Everything runs on the
 * consumer's own thread, where its state is kept, so the forwarder may run several consumers.
 *
 * <p>It also knows how far behind the forwarder is: {@link #lagSeconds()}, the age of the oldest
 * event a consumer holds and has not finished (0 when every consumer is idle).
 */
public class ForwarderPause extends KafkaConsumerListener {

    private static final Logger LOG = LoggerFactory.getLogger(ForwarderPause.class);

    private final long minimumPauseMillis;
    private final long maximumPauseMillis;
    private final Set<ConsumerState> allStates = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<ConsumerState> states = ThreadLocal.withInitial(() -> {
        ConsumerState state = new ConsumerState();
        allStates.add(state);
        return state;
    });
    private final AtomicLong pauses = new AtomicLong();
    private volatile Predicate<Object> resumable = ignored -> true;

    /**
     * @param minimumPauseMillis the least time a pause lasts, so a failing upstream is not retried in a tight loop
     * @param maximumPauseMillis the most a pause at the same event grows to
     */
    public ForwarderPause(long minimumPauseMillis, long maximumPauseMillis) {
        this.minimumPauseMillis = minimumPauseMillis;
        this.maximumPauseMillis = Math.max(minimumPauseMillis, maximumPauseMillis);
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

    /** A batch finished every event it fetched: commits past them. */
    public void finished(Map<TopicPartition, Long> next) {
        ConsumerState state = states.get();
        state.nextOffsets.putAll(next);
        state.oldestUnfinishedAt = 0;
        state.pausedAt.clear();
        commit(state.consumer, next);
    }

    /** A batch was taken from the poll: its oldest event (by its record's time) counts for the lag until settled. */
    void holding(long oldestRecordAt) {
        ConsumerState state = states.get();
        if (state.oldestUnfinishedAt == 0 || oldestRecordAt < state.oldestUnfinishedAt) {
            state.oldestUnfinishedAt = oldestRecordAt;
        }
    }

    /** Seconds since the oldest event a consumer holds unfinished was put on the topic; 0 when none is held. */
    public double lagSeconds() {
        long now = System.currentTimeMillis();
        // a consumer whose thread ended (the route stopped) holds nothing any more: its events come again
        allStates.removeIf(state -> !state.thread.isAlive());
        long oldest = allStates.stream().mapToLong(state -> state.oldestUnfinishedAt).filter(at -> at > 0)
                .min().orElse(now);
        return Math.max(0, now - oldest) / 1000.0;
    }

    /**
     * A batch left events unfinished even after their retries: commits what each partition finished
     * before its first unfinished event ({@code next}), then pauses every partition and rewinds it there.
     */
    public void pauseAt(Map<TopicPartition, Long> next, Set<TopicPartition> failing, long oldestUnfinishedAt) {
        ConsumerState state = states.get();
        state.nextOffsets.putAll(next);
        Consumer<?, ?> consumer = state.consumer;
        commit(consumer, next);
        long pauseMillis = minimumPauseMillis;
        Map<TopicPartition, Long> pausedAt = new HashMap<>();
        for (TopicPartition partition : failing) {
            pausedAt.put(partition, next.get(partition));
            if (next.get(partition).equals(state.pausedAt.get(partition))) {
                pauseMillis = Math.min(maximumPauseMillis, Math.max(pauseMillis, state.pauseMillis * 2));
            }
        }
        state.pausedAt.clear();
        state.pausedAt.putAll(pausedAt);
        state.oldestUnfinishedAt = oldestUnfinishedAt;
        pause(state, pauseMillis);
        for (TopicPartition partition : failing) {
            LOG.warn("Download forwarder paused for {} ms at {} offset {}: the event could not be delivered within its "
                    + "attempts; it is tried again once the upstream can be called", pauseMillis, partition,
                    next.get(partition));
        }
    }

    /**
     * camel-kafka reports each batch here: one that failed as a whole (not one of its events) would
     * have camel-kafka pause every partition with nothing to resume them. It is paused here instead,
     * every partition rewound to what was finished, and resumed as after any pause.
     */
    @Override
    public boolean afterProcess(ProcessingResult result) {
        if (!result.isFailed()) {
            return true;
        }
        ConsumerState state = states.get();
        LOG.warn("Download forwarder batch failed as a whole: every partition pauses for {} ms and resumes at its "
                + "first unfinished event", minimumPauseMillis);
        pause(state, minimumPauseMillis);
        return false;
    }

    private void pause(ConsumerState state, long pauseMillis) {
        Consumer<?, ?> consumer = state.consumer;
        consumer.pause(consumer.assignment());
        rewind(state, consumer.assignment());
        state.paused = true;
        state.pauseStartedAt = System.currentTimeMillis();
        state.pauseMillis = pauseMillis;
        pauses.incrementAndGet();
    }

    /**
     * Whether a record was fetched before the consumer rewound, and handed over since, by the time
     * it was taken from the poll (its exchange created): it comes again from where the consumer
     * rewound to. camel-kafka takes the records of a poll even when the batch before them failed.
     */
    public boolean fetchedBeforeRewind(long takenAtMillis) {
        ConsumerState state = states.get();
        return state.pauseStartedAt <= takenAtMillis && takenAtMillis < state.resumedAt;
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
        if (System.currentTimeMillis() - state.pauseStartedAt < state.pauseMillis || !resumable.test(null)) {
            return false;
        }
        consumer.resume(consumer.assignment());
        state.paused = false;
        state.resumedAt = System.currentTimeMillis();
        LOG.info("Download forwarder resumed after {} ms", System.currentTimeMillis() - state.pauseStartedAt);
        return true;
    }

    /** How many times a consumer has paused since start. */
    public long pauses() {
        return pauses.get();
    }

    // asynchronous: it rides on the next poll; one lost on a crash only means events delivered again
    private static void commit(Consumer<?, ?> consumer, Map<TopicPartition, Long> next) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        next.forEach((partition, offset) -> offsets.put(partition, new OffsetAndMetadata(offset)));
        consumer.commitAsync(offsets, (committed, failure) -> {
            if (failure != null) {
                LOG.warn("committing {} failed, its events may be delivered again: {}", committed, failure.getMessage());
            }
        });
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
        final Thread thread = Thread.currentThread();
        Consumer<?, ?> consumer;
        boolean paused;
        long pauseStartedAt;
        long pauseMillis;
        long resumedAt;
        // read by the lag gauge's thread
        volatile long oldestUnfinishedAt;
        final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
        /** Where each failing partition paused last: a pause there again lasts longer. */
        final Map<TopicPartition, Long> pausedAt = new HashMap<>();
    }
}
