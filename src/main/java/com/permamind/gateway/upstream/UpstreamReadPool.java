package com.permamind.gateway.upstream;

import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool the reads that may block on an upstream run on: a thread per read in flight, up to
 * {@code threads}, then up to {@code queue} reads waiting in arrival order, then refusal.
 *
 * <p>It differs from a fixed pool in which thread runs a read. A fixed pool's idle threads wait
 * in line, so a steady trickle of reads visits all of them in turn, each with cold processor
 * caches and each warming its own pooled state. Here a read goes to the thread that went idle
 * last, a new thread is started only when none is idle, and a thread idle for {@code keepAlive}
 * ends. Four reads at a time are run by about four threads, whatever the maximum is. Measured with
 * 256 threads and four connections of uncached reads: 40 % less CPU per read on the pool's threads
 * (README.md, "Concurrency").
 */
public final class UpstreamReadPool extends ThreadPoolExecutor {

    public UpstreamReadPool(int threads, int queue, long keepAlive, TimeUnit unit, ThreadFactory threadFactory) {
        super(0, threads, keepAlive, unit, new IdleThreadFirstQueue(queue), threadFactory, UpstreamReadPool::refuse);
        ((IdleThreadFirstQueue) getQueue()).pool = this;
    }

    // the queue said no while a thread could still be started, and another read took that thread
    // first: then the read waits in the queue after all, if there is room
    private static void refuse(Runnable read, ThreadPoolExecutor pool) {
        if (pool.isShutdown() || !((IdleThreadFirstQueue) pool.getQueue()).enqueue(read)) {
            throw new RejectedExecutionException("all " + pool.getMaximumPoolSize() + " upstream threads are busy and "
                    + pool.getQueue().size() + " reads wait already");
        }
    }

    /**
     * Hands a read to the most recently idle thread; when no thread is idle, declines it while the
     * pool may still start one (the executor then does), else keeps it in arrival order.
     */
    static final class IdleThreadFirstQueue extends AbstractQueue<Runnable> implements BlockingQueue<Runnable> {

        private final int capacity;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition notFull = lock.newCondition();
        private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
        // threads waiting for a read, the most recently idle first
        private final ArrayDeque<IdleThread> idle = new ArrayDeque<>();
        private volatile ThreadPoolExecutor pool;

        IdleThreadFirstQueue(int capacity) {
            this.capacity = capacity;
        }

        private static final class IdleThread {
            final Condition handedRead;
            Runnable read;

            IdleThread(Condition handedRead) {
                this.handedRead = handedRead;
            }
        }

        @Override
        public boolean offer(Runnable read) {
            Objects.requireNonNull(read);
            lock.lock();
            try {
                if (handToIdleThread(read)) {
                    return true;
                }
                ThreadPoolExecutor executor = pool;
                if (executor != null && executor.getPoolSize() < executor.getMaximumPoolSize()) {
                    return false;
                }
                return enqueueLocked(read);
            } finally {
                lock.unlock();
            }
        }

        boolean enqueue(Runnable read) {
            lock.lock();
            try {
                return handToIdleThread(read) || enqueueLocked(read);
            } finally {
                lock.unlock();
            }
        }

        private boolean handToIdleThread(Runnable read) {
            IdleThread thread = idle.pollFirst();
            if (thread == null) {
                return false;
            }
            thread.read = read;
            thread.handedRead.signal();
            return true;
        }

        private boolean enqueueLocked(Runnable read) {
            if (waiting.size() >= capacity) {
                return false;
            }
            waiting.addLast(read);
            return true;
        }

        @Override
        public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
            return await(unit.toNanos(timeout), true);
        }

        @Override
        public Runnable take() throws InterruptedException {
            return await(0, false);
        }

        private Runnable await(long nanos, boolean timed) throws InterruptedException {
            lock.lockInterruptibly();
            try {
                Runnable read = nextWaiting();
                if (read != null) {
                    return read;
                }
                IdleThread self = new IdleThread(lock.newCondition());
                idle.addFirst(self);
                try {
                    while (self.read == null && (!timed || nanos > 0)) {
                        if (timed) {
                            nanos = self.handedRead.awaitNanos(nanos);
                        } else {
                            self.handedRead.await();
                        }
                    }
                } catch (InterruptedException e) {
                    if (self.read == null) {
                        throw e;
                    }
                    // a read was handed over just before the interrupt: run it, keep the interrupt
                    Thread.currentThread().interrupt();
                } finally {
                    if (self.read == null) {
                        idle.remove(self);
                    }
                }
                return self.read;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Runnable poll() {
            lock.lock();
            try {
                return nextWaiting();
            } finally {
                lock.unlock();
            }
        }

        private Runnable nextWaiting() {
            Runnable read = waiting.pollFirst();
            if (read != null) {
                notFull.signal();
            }
            return read;
        }

        @Override
        public Runnable peek() {
            lock.lock();
            try {
                return waiting.peekFirst();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void put(Runnable read) throws InterruptedException {
            lock.lockInterruptibly();
            try {
                while (!handToIdleThread(read) && !enqueueLocked(read)) {
                    notFull.await();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean offer(Runnable read, long timeout, TimeUnit unit) throws InterruptedException {
            long nanos = unit.toNanos(timeout);
            lock.lockInterruptibly();
            try {
                while (!handToIdleThread(read) && !enqueueLocked(read)) {
                    if (nanos <= 0) {
                        return false;
                    }
                    nanos = notFull.awaitNanos(nanos);
                }
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** Threads waiting for a read now. */
        int idleThreads() {
            lock.lock();
            try {
                return idle.size();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int remainingCapacity() {
            lock.lock();
            try {
                return capacity - waiting.size();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int size() {
            lock.lock();
            try {
                return waiting.size();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean remove(Object read) {
            lock.lock();
            try {
                boolean removed = waiting.remove(read);
                if (removed) {
                    notFull.signal();
                }
                return removed;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int drainTo(Collection<? super Runnable> sink) {
            return drainTo(sink, Integer.MAX_VALUE);
        }

        @Override
        public int drainTo(Collection<? super Runnable> sink, int most) {
            lock.lock();
            try {
                int drained = 0;
                while (drained < most && !waiting.isEmpty()) {
                    sink.add(waiting.pollFirst());
                    drained++;
                }
                notFull.signalAll();
                return drained;
            } finally {
                lock.unlock();
            }
        }

        /** Over a copy of the reads waiting; its remove takes the read out of the queue. */
        @Override
        public Iterator<Runnable> iterator() {
            List<Runnable> copy;
            lock.lock();
            try {
                copy = new ArrayList<>(waiting);
            } finally {
                lock.unlock();
            }
            Iterator<Runnable> reads = copy.iterator();
            return new Iterator<>() {
                private Runnable last;

                @Override
                public boolean hasNext() {
                    return reads.hasNext();
                }

                @Override
                public Runnable next() {
                    last = reads.next();
                    return last;
                }

                @Override
                public void remove() {
                    reads.remove();
                    IdleThreadFirstQueue.this.remove(last);
                }
            };
        }
    }
}
