package com.permamind.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BoundedVirtualThreadsTest {

    private BoundedVirtualThreads reads;

    @AfterEach
    void stop() throws InterruptedException {
        reads.shutdownNow();
        assertTrue(reads.awaitTermination(5, TimeUnit.SECONDS));
    }

    @Test
    void should_run_reads_up_to_the_bound_then_queue_in_arrival_order_then_refuse() throws Exception {
        reads = new BoundedVirtualThreads("upstream reads", 4, 3, "test-read");
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        ConcurrentLinkedQueue<Integer> order = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 7; i++) {
            int read = i;
            reads.execute(() -> {
                order.add(read);
                running.incrementAndGet();
                await(release);
            });
            // each in line before the next comes, so the order they came is known
            awaitTrue(() -> running.get() == Math.min(read + 1, 4) && reads.waiting() == Math.max(0, read + 1 - 4));
        }
        assertEquals(3, reads.waiting());
        assertEquals(4, running.get(), "more reads under way than the bound");
        assertEquals(4, reads.underWay());
        RejectedExecutionException refused = assertThrows(RejectedExecutionException.class, () -> reads.execute(() -> { }));
        assertTrue(refused.getMessage().contains("4 upstream reads are under way and 3 wait"), refused.getMessage());

        release.countDown();
        awaitTrue(() -> running.get() == 7);
        assertEquals(List.of(4, 5, 6), new ArrayList<>(order).subList(4, 7), "the waiting reads ran in the order they came");
        awaitTrue(() -> reads.underWay() == 0 && reads.waiting() == 0);
        reads.execute(() -> { });
    }

    @Test
    void should_start_tasks_in_the_order_they_came_even_when_they_come_at_once() throws Exception {
        // the forwarder with one delivery at once sends a poll's events in offset order
        reads = new BoundedVirtualThreads("forwarder deliveries", 1, 500, "test-delivery");
        List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(500);
        for (int i = 0; i < 500; i++) {
            int task = i;
            reads.execute(() -> {
                order.add(task);
                Thread.yield();
                done.countDown();
            });
        }
        assertTrue(done.await(20, TimeUnit.SECONDS));
        assertEquals(java.util.stream.IntStream.range(0, 500).boxed().toList(), order);
        awaitTrue(() -> reads.underWay() == 0 && reads.waiting() == 0);
    }

    @Test
    void should_run_the_tasks_in_line_when_stopped_now_so_that_none_is_left_unfinished() throws Exception {
        reads = new BoundedVirtualThreads("forwarder deliveries", 1, 10, "test-delivery");
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger interruptedRuns = new AtomicInteger();
        reads.execute(() -> await(release));
        for (int i = 0; i < 3; i++) {
            reads.execute(() -> {
                if (Thread.currentThread().isInterrupted()) {
                    interruptedRuns.incrementAndGet();
                }
            });
        }
        assertEquals(List.of(), reads.shutdownNow());
        assertThrows(RejectedExecutionException.class, () -> reads.execute(() -> { }));
        assertTrue(reads.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals(3, interruptedRuns.get(), "the tasks in line ran, interrupted: their calls fail fast");
    }

    @Test
    void should_hold_no_platform_thread_for_a_read_that_waits() throws Exception {
        reads = new BoundedVirtualThreads("upstream reads", 2_000, 0, "test-read");
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch waiting = new CountDownLatch(2_000);
        for (int i = 0; i < 2_000; i++) {
            reads.execute(() -> {
                assertTrue(Thread.currentThread().isVirtual());
                waiting.countDown();
                await(release);
            });
        }
        assertTrue(waiting.await(20, TimeUnit.SECONDS), "not all 2,000 reads were under way");
        int threadsWaiting = ManagementFactory.getThreadMXBean().getThreadCount();
        release.countDown();
        // the carriers of the virtual threads (at most one per core) and little else
        assertTrue(threadsWaiting - threadsBefore < 20, "2,000 waiting reads took "
                + (threadsWaiting - threadsBefore) + " platform threads");
    }

    private static void await(CountDownLatch release) {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(condition.getAsBoolean());
    }
}
