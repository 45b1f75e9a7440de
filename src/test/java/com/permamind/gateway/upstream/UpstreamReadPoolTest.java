package com.permamind.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpstreamReadPoolTest {

    private static final int THREADS = 16;
    private UpstreamReadPool pool;

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
    }

    @Test
    void should_run_sequential_reads_on_the_thread_that_went_idle_last() throws Exception {
        pool = new UpstreamReadPool(THREADS, 100, 60, TimeUnit.SECONDS, Executors.defaultThreadFactory());
        CountDownLatch release = new CountDownLatch(1);
        List<Future<?>> blocked = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            blocked.add(pool.submit(() -> {
                release.await();
                return null;
            }));
        }
        assertEquals(THREADS, pool.getPoolSize());
        release.countDown();
        for (Future<?> read : blocked) {
            read.get(5, TimeUnit.SECONDS);
        }

        Set<String> threads = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            // the thread a read just left is idle again before the next read comes
            awaitIdleThreads(THREADS);
            threads.add(pool.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS));
        }
        // a fixed pool would rotate through all 16 idle threads
        assertEquals(1, threads.size(), "50 reads one after another ran on " + threads);
    }

    private void awaitIdleThreads(int expected) throws InterruptedException {
        UpstreamReadPool.IdleThreadFirstQueue queue = (UpstreamReadPool.IdleThreadFirstQueue) pool.getQueue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (queue.idleThreads() < expected && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(expected, queue.idleThreads());
    }

    @Test
    void should_start_a_thread_for_each_read_up_to_the_maximum_then_queue_then_refuse() throws Exception {
        pool = new UpstreamReadPool(THREADS, 2, 60, TimeUnit.SECONDS, Executors.defaultThreadFactory());
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        Runnable slowRead = () -> {
            running.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        for (int i = 0; i < THREADS; i++) {
            pool.execute(slowRead);
        }
        assertEquals(THREADS, pool.getPoolSize());
        assertEquals(0, pool.getQueue().size(), "no read waits while a thread can be started");

        pool.execute(slowRead);
        pool.execute(slowRead);
        assertEquals(2, pool.getQueue().size());
        assertThrows(RejectedExecutionException.class, () -> pool.execute(slowRead));

        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (running.get() < THREADS + 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(THREADS + 2, running.get(), "the queued reads ran once threads were free");
    }

    @Test
    void should_end_threads_left_idle() throws Exception {
        pool = new UpstreamReadPool(THREADS, 10, 100, TimeUnit.MILLISECONDS, Executors.defaultThreadFactory());
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 4; i++) {
            pool.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertEquals(4, pool.getPoolSize());
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pool.getPoolSize() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, pool.getPoolSize());
    }
}
