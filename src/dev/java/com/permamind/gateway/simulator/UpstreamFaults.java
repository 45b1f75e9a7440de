package com.permamind.gateway.simulator;

import io.vertx.core.Future;

import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fault switch of one upstream. The blocking methods are for tests; the admin endpoint uses the
 * asynchronous ones because it runs on an event loop.
 */
public final class UpstreamFaults {

    private final ListeningPort port;
    private Armed armed;
    private Future<Void> lastSwitch = Future.succeededFuture();
    private final AtomicLong hugeBodyBytes = new AtomicLong();

    UpstreamFaults(ListeningPort port) {
        this.port = port;
    }

    /** Replaces the current fault; returns once a refused port is closed or a restored one bound again. */
    public void inject(Fault fault) {
        await(injectAsync(fault));
    }

    public void clear() {
        await(clearAsync());
    }

    /** Bytes of huge bodies the clients took (the sockets accepted) since the fault was injected. */
    public long hugeBodyBytesSent() {
        return hugeBodyBytes.get();
    }

    void hugeBodySent(long bytes) {
        hugeBodyBytes.addAndGet(bytes);
    }

    public synchronized Optional<Fault> current() {
        return Optional.ofNullable(armed).map(Armed::fault);
    }

    synchronized Future<Void> injectAsync(Fault fault) {
        return switchTo(new Armed(fault));
    }

    synchronized Future<Void> clearAsync() {
        return switchTo(null);
    }

    /** The fault the next protocol request suffers, if the failure rate picks it. */
    synchronized Optional<Fault> forNextRequest() {
        return armed != null && armed.picksNext() ? Optional.of(armed.fault()) : Optional.empty();
    }

    private Future<Void> switchTo(Armed next) {
        hugeBodyBytes.set(0);
        boolean wasRefusing = refuses(armed);
        boolean willRefuse = refuses(next);
        armed = next;
        // chained so that quick inject/clear sequences close and rebind in the order they were asked
        if (!wasRefusing && willRefuse) {
            lastSwitch = lastSwitch.transform(ignored -> port.stopListening());
        } else if (wasRefusing && !willRefuse) {
            lastSwitch = lastSwitch.transform(ignored -> port.listenAgain());
        }
        return lastSwitch;
    }

    private static boolean refuses(Armed armed) {
        return armed != null && armed.fault().mode() == FaultMode.CONNECTION_REFUSED;
    }

    private static void await(Future<Void> future) {
        future.toCompletionStage().toCompletableFuture().join();
    }

    private static final class Armed {
        private final Fault fault;
        private final AtomicLong requests = new AtomicLong();
        private final Random random;

        Armed(Fault fault) {
            this.fault = fault;
            this.random = new Random(fault.rate().seed());
        }

        Fault fault() {
            return fault;
        }

        boolean picksNext() {
            FailureRate rate = fault.rate();
            if (requests.incrementAndGet() % rate.everyNth() != 0) {
                return false;
            }
            return !rate.isRandom() || random.nextDouble() < rate.probability();
        }
    }
}
