package com.permamind.gateway.bench;

import com.permamind.gateway.simulator.RegistrySimulator;
import com.permamind.gateway.simulator.Upstream;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the calls the simulator's upstreams receive. The simulator's call log also keeps every
 * request in a copy-on-write list, which grows without bound and gets slower with every call
 * under load; so this drains it (reads the counters, then resets them) every 100 ms and keeps the
 * totals here. A call that lands between the read and the reset is lost: a handful per run.
 */
final class UpstreamCalls implements AutoCloseable {

    private final RegistrySimulator simulator;
    private final Map<Upstream, AtomicLong> totals = new EnumMap<>(Upstream.class);
    private final Thread drainer;
    private volatile boolean running = true;

    UpstreamCalls(RegistrySimulator simulator) {
        this.simulator = simulator;
        for (Upstream upstream : Upstream.values()) {
            totals.put(upstream, new AtomicLong());
        }
        drainer = new Thread(this::drainLoop, "bench-upstream-calls");
        drainer.setDaemon(true);
        drainer.start();
    }

    private void drainLoop() {
        while (running) {
            drain();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void drain() {
        for (Upstream upstream : Upstream.values()) {
            long calls = simulator.calls(upstream).values().stream().mapToLong(Long::longValue).sum();
            totals.get(upstream).addAndGet(calls);
        }
        simulator.resetCounters();
    }

    /** Calls received so far by the upstream (every function, faulted calls included). */
    long total(Upstream upstream) {
        drain();
        return totals.get(upstream).get();
    }

    @Override
    public void close() {
        running = false;
        drainer.interrupt();
    }
}
