package com.permamind.gateway.simulator;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Counts the protocol calls an upstream received, per function, and keeps every request. */
public final class CallLog {

    private final Map<String, AtomicLong> callsByFunction = new ConcurrentHashMap<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();

    void record(RecordedRequest request) {
        requests.add(request);
        callsByFunction.computeIfAbsent(request.function(), function -> new AtomicLong()).incrementAndGet();
    }

    /** A request arrived; {@link #finished()} when its answer ends, however it ends. */
    void started() {
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    void finished() {
        inFlight.decrementAndGet();
    }

    /** The most requests that were in progress at once: how much a caller overlaps its calls. */
    public int mostInFlight() {
        return mostInFlight.get();
    }

    public long calls(String function) {
        AtomicLong count = callsByFunction.get(function);
        return count == null ? 0 : count.get();
    }

    /** All counters, by function name in byte order. */
    public Map<String, Long> callsByFunction() {
        Map<String, Long> snapshot = new TreeMap<>();
        callsByFunction.forEach((function, count) -> snapshot.put(function, count.get()));
        return snapshot;
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public void reset() {
        callsByFunction.clear();
        requests.clear();
        mostInFlight.set(inFlight.get());
    }
}
