package com.permamind.gateway.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Down, for liveness and readiness, when the threads the gateway's work runs on stop running it:
 * the virtual threads (upstream reads, event sends, forwarder deliveries), and the API's event
 * loop. Each call of the check hands each a trivial task, one at a time; a task that has waited
 * longer than {@code stalledAfter} means those threads are stuck, and so is every request that
 * needs them, while the management port, on threads of its own, would go on answering UP.
 *
 * <p>How virtual threads get stuck on JDK 25: a virtual thread blocked inside a class initializer,
 * or waiting for another thread's, keeps its carrier (JEP 491 left these cases pinned). Once every
 * carrier is held that way while the thread they wait for is an unmounted virtual thread, nothing
 * runs again. A restart is the way out, which a failing liveness check asks the orchestrator for;
 * docs/operations.md says what to take from the process first.
 */
public class StalledThreadsHealthCheck extends AbstractHealthCheck {

    private static final Logger LOG = LoggerFactory.getLogger(StalledThreadsHealthCheck.class);

    private final Duration stalledAfter;
    private final Probe virtualThreads;
    private final Probe eventLoop;

    /**
     * @param onEventLoop runs a task on the API's event loop
     */
    public StalledThreadsHealthCheck(Duration stalledAfter, Consumer<Runnable> onEventLoop) {
        super("registry", "threads");
        this.stalledAfter = stalledAfter;
        this.virtualThreads = new Probe("virtual-threads", "virtual threads",
                task -> Thread.ofVirtual().name("stall-probe").start(task));
        this.eventLoop = new Probe("event-loop", "the API's event loop", onEventLoop);
    }

    @Override
    public boolean isLiveness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        long now = System.nanoTime();
        boolean stalled = false;
        for (Probe probe : new Probe[] {virtualThreads, eventLoop}) {
            Duration waited = probe.waited(now);
            builder.detail(probe.key + ".waited-ms", waited.toMillis());
            if (waited.compareTo(stalledAfter) > 0) {
                stalled = true;
                builder.detail(probe.key + ".stalled", probe.name + " ran nothing for " + waited.toSeconds() + " s");
                probe.reportOnce(waited);
            }
        }
        if (stalled) {
            builder.down();
        } else {
            builder.up();
        }
    }

    /** One task out at a time on the threads watched, and since when it waits to run. */
    private static final class Probe {
        private final String key;
        private final String name;
        private final Consumer<Runnable> runner;
        // when the task now waiting was handed over; 0 when none waits
        private final AtomicLong sentAt = new AtomicLong();
        private final AtomicBoolean reported = new AtomicBoolean();

        Probe(String key, String name, Consumer<Runnable> runner) {
            this.key = key;
            this.name = name;
            this.runner = runner;
        }

        Duration waited(long now) {
            long sent = sentAt.get();
            if (sent != 0) {
                return Duration.ofNanos(now - sent);
            }
            long mark = now == 0 ? 1 : now;
            if (sentAt.compareAndSet(0, mark)) {
                runner.accept(() -> ran(mark));
            }
            return Duration.ZERO;
        }

        private void ran(long mark) {
            sentAt.compareAndSet(mark, 0);
            if (reported.getAndSet(false)) {
                LOG.warn("No longer stalled: {} ran a task again", name);
            }
        }

        void reportOnce(Duration waited) {
            if (reported.compareAndSet(false, true)) {
                LOG.error("Stalled: {} ran nothing for {} s, and the requests that need them get no answer. Liveness and"
                                + " readiness are DOWN; before a restart, take the threads (docs/operations.md, \"A stalled"
                                + " gateway\"), with a JDK: jcmd {} Thread.dump_to_file -format=json <file>", name,
                        waited.toSeconds(), ProcessHandle.current().pid());
            }
        }
    }
}
