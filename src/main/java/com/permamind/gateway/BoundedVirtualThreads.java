package com.permamind.gateway;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Where work that waits runs: on virtual threads, so a task waiting on the network (an upstream
 * read, a forwarder delivery, an event send waiting for Kafka's metadata) holds no platform thread,
 * only its few kilobytes of stack on the heap.
 *
 * <p>What bounds them is what they protect, not a count of threads: at most {@code atOnce} tasks
 * under way (for the reads, the HyperBEAM connections the node client keeps for them, so a read
 * never waits for a connection inside the circuit breaker, where the wait would count as the
 * node's failure; for the forwarder, the calls a node is sent at once), then up to {@code queue}
 * more waiting for their turn, started in the order they came; a task beyond both is refused at
 * once ({@link RejectedExecutionException}: for a request, a 503 with {@code Retry-After}).
 *
 * <p>A task that waits for its turn is a queue entry, not a thread: each virtual thread, once its
 * task is done, goes on with the next one waiting, so the order tasks start in is the order they
 * came (with one at once, the forwarder sends a poll's events in offset order).
 */
public final class BoundedVirtualThreads extends AbstractExecutorService {

    private final String work;
    private final int atOnce;
    private final int queue;
    // tasks under way or waiting: the bound a burst meets
    private final Semaphore admitted;
    // a permit per virtual thread serving the line
    private final Semaphore underWay;
    private final Queue<Runnable> line = new ConcurrentLinkedQueue<>();
    private final ExecutorService threadPerTurn;

    /**
     * @param work       what the tasks are, plural, for messages ("upstream reads")
     * @param threadName the prefix of the virtual threads' names
     */
    public BoundedVirtualThreads(String work, int atOnce, int queue, String threadName) {
        if (atOnce < 1 || queue < 0) {
            throw new IllegalArgumentException(work + " at once must be at least 1 and the queue not negative");
        }
        this.work = work;
        this.atOnce = atOnce;
        this.queue = queue;
        this.admitted = new Semaphore(atOnce + queue);
        this.underWay = new Semaphore(atOnce);
        this.threadPerTurn = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(threadName + "-", 0).factory());
    }

    @Override
    public void execute(Runnable task) {
        if (threadPerTurn.isShutdown()) {
            throw new RejectedExecutionException("the " + work + " are stopping");
        }
        if (!admitted.tryAcquire()) {
            throw new RejectedExecutionException(atOnce + " " + work + " are under way and " + queue + " wait already");
        }
        line.add(task);
        // else every permit is with a thread that looks at the line again before it ends
        if (underWay.tryAcquire()) {
            try {
                threadPerTurn.execute(this::serveLine);
            } catch (RuntimeException e) {
                underWay.release();
                if (line.remove(task)) {
                    admitted.release();
                    throw e;
                }
            }
        }
    }

    // one virtual thread: the tasks of the line, one after another, until it is empty
    private void serveLine() {
        for (Runnable task = nextInLine(); task != null; task = nextInLine()) {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
            } finally {
                admitted.release();
            }
            if (!threadPerTurn.isShutdown()) {
                // only a stop interrupts (shutdownNow): then the tasks still in line run on, their calls failing
                // fast, so that their exchanges end; any other interrupt was the task's own
                Thread.interrupted();
            }
        }
    }

    // the next task, this thread's permit kept; or none, the permit given back
    private Runnable nextInLine() {
        while (true) {
            Runnable next = line.poll();
            if (next != null) {
                return next;
            }
            underWay.release();
            // a task that came after the poll, when its execute found no permit free, is this thread's
            if (line.isEmpty() || !underWay.tryAcquire()) {
                return null;
            }
        }
    }

    /**
     * Stopped with the context, after its routes: the tasks in flight finish, within the context's
     * shutdown timeout (GracefulStop).
     */
    public BoundedVirtualThreads stoppedWith(CamelContext context) {
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    context.getExecutorServiceManager().shutdownGraceful(BoundedVirtualThreads.this,
                            TimeUnit.SECONDS.toMillis(context.getShutdownStrategy().getTimeout()));
                }
            }, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the " + work + " with the context", e);
        }
        return this;
    }

    /** Tasks under way now (each may be waiting on the network). */
    public int underWay() {
        return Math.max(0, atOnce + queue - admitted.availablePermits() - line.size());
    }

    /** Tasks waiting in line for their turn. */
    public int waiting() {
        return line.size();
    }

    @Override
    public void shutdown() {
        threadPerTurn.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        // interrupted, the threads still run the tasks in line (see serveLine): none is handed back
        return threadPerTurn.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return threadPerTurn.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return threadPerTurn.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return threadPerTurn.awaitTermination(timeout, unit);
    }

    @Override
    public String toString() {
        return "BoundedVirtualThreads[" + work + ": " + underWay() + " of " + atOnce + " under way, " + waiting() + " of " + queue
                + " waiting]";
    }
}
