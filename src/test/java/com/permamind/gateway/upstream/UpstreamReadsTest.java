package com.permamind.gateway.upstream;

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

class UpstreamReadsTest {

    private UpstreamReads reads;

    @AfterEach
    void stop() throws InterruptedException {
        reads.shutdownNow();
        assertTrue(reads.awaitTermination(5, TimeUnit.SECONDS));
    }

    @Test
    void should_run_reads_up_to_the_bound_then_queue_in_arrival_order_then_refuse() throws Exception {
        reads = new UpstreamReads(4, 3, "test-read");
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
            awaitTrue(() -> running.get() + reads.waiting() == read + 1);
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
    void should_hold_no_platform_thread_for_a_read_that_waits() throws Exception {
        reads = new UpstreamReads(2_000, 0, "test-read");
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
