package com.permamind.gateway.upstream;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Where the reads that may wait on an upstream run (the threads step of registry-query.yaml): each
 * on a virtual thread of its own, so a read waiting for HyperBEAM, a dryrun or another read's call
 * holds no platform thread, only its few kilobytes of stack on the heap.
 *
 * <p>What bounds them is what they protect, not a count of threads: at most {@code atOnce} reads
 * under way (the HyperBEAM connections the node client keeps for reads, so a read never waits for
 * a connection inside the circuit breaker, where the wait would count as the node's failure), then
 * up to {@code queue} more waiting for their turn in arrival order, parked; a read beyond both is
 * refused at once ({@link RejectedExecutionException}: a 503 with {@code Retry-After}).
 */
public final class UpstreamReads extends AbstractExecutorService {

    private final int atOnce;
    private final int queue;
    // reads under way or waiting: the bound a burst meets
    private final Semaphore admitted;
    // reads under way; fair, so those waiting go in the order they came
    private final Semaphore underWay;
    private final ExecutorService threadPerRead;

    public UpstreamReads(int atOnce, int queue, String threadName) {
        if (atOnce < 1 || queue < 0) {
            throw new IllegalArgumentException("reads at once must be at least 1 and the queue not negative");
        }
        this.atOnce = atOnce;
        this.queue = queue;
        this.admitted = new Semaphore(atOnce + queue);
        this.underWay = new Semaphore(atOnce, true);
        this.threadPerRead = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(threadName + "-", 0).factory());
    }

    @Override
    public void execute(Runnable read) {
        if (!admitted.tryAcquire()) {
            throw new RejectedExecutionException(atOnce + " upstream reads are under way and " + queue + " wait already");
        }
        try {
            threadPerRead.execute(() -> runInTurn(read));
        } catch (RuntimeException e) {
            admitted.release();
            throw e;
        }
    }

    private void runInTurn(Runnable read) {
        try {
            boolean permitted = false;
            try {
                underWay.acquire();
                permitted = true;
            } catch (InterruptedException e) {
                // stopping now: the read still runs, so that its exchange ends (its calls fail fast)
                Thread.currentThread().interrupt();
            }
            try {
                read.run();
            } finally {
                if (permitted) {
                    underWay.release();
                }
            }
        } finally {
            admitted.release();
        }
    }

    /** Reads under way now (each may be waiting on an upstream). */
    public int underWay() {
        return atOnce - underWay.availablePermits();
    }

    /** Reads waiting in line for their turn. */
    public int waiting() {
        return underWay.getQueueLength();
    }

    @Override
    public void shutdown() {
        threadPerRead.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return threadPerRead.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return threadPerRead.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return threadPerRead.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return threadPerRead.awaitTermination(timeout, unit);
    }

    @Override
    public String toString() {
        return "UpstreamReads[" + underWay() + " of " + atOnce + " under way, " + waiting() + " of " + queue + " waiting]";
    }
}
