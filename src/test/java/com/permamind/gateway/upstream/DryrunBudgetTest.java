package com.permamind.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.upstream.DryrunBudget.Priority;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The dry-runs a gateway may send a compute unit that allows six a minute (contract section 5). */
class DryrunBudgetTest {

    private final AtomicLong clock = new AtomicLong(1_000);
    private final DryrunBudget budget = new DryrunBudget(6, clock::get);

    @Test
    void should_never_allow_more_than_six_in_any_minute_whoever_asks() {
        SplittableRandom random = new SplittableRandom(7);
        Deque<Long> taken = new ArrayDeque<>();
        for (int i = 0; i < 20_000; i++) {
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(random.nextInt(1, 2_000)));
            Priority priority = Priority.values()[random.nextInt(Priority.values().length)];
            int count = random.nextInt(1, 4);
            if (budget.tryTake(count, priority)) {
                for (int j = 0; j < count; j++) {
                    taken.addLast(clock.get());
                }
            }
            while (clock.get() - taken.peekFirst() >= TimeUnit.SECONDS.toNanos(60)) {
                taken.pollFirst();
                if (taken.isEmpty()) {
                    break;
                }
            }
            assertTrue(taken.size() <= 6, taken.size() + " dry-runs within a minute");
        }
    }

    @Test
    void should_leave_the_last_dry_runs_to_those_with_nothing_else_to_answer() {
        for (int i = 0; i < 4; i++) {
            assertTrue(budget.tryTake(1, Priority.SHARED));
        }

        assertFalse(budget.tryTake(1, Priority.ANSWERED_STALE), "a read with a stale answer leaves two");
        assertTrue(budget.tryTake(1, Priority.UNANSWERED));
        assertFalse(budget.tryTake(1, Priority.UNANSWERED), "a read leaves one for the snapshot");
        assertTrue(budget.tryTake(1, Priority.SHARED));
        assertFalse(budget.tryTake(1, Priority.SHARED));
    }

    @Test
    void should_take_all_the_dry_runs_a_read_needs_or_none() {
        assertTrue(budget.tryTake(3, Priority.UNANSWERED));

        assertFalse(budget.tryTake(3, Priority.UNANSWERED), "three more would leave none for the snapshot");
        assertEquals(3, budget.sentInWindow());
        assertTrue(budget.tryTake(2, Priority.UNANSWERED));
    }

    @Test
    void should_name_the_wait_until_a_dry_run_is_free_again() {
        for (int i = 0; i < 6; i++) {
            budget.tryTake(1, Priority.SHARED);
            clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        }

        assertEquals(55, budget.secondsUntilFree(Priority.SHARED), "the first, sent 6 s ago, leaves 61 s after it was sent");
        clock.addAndGet(TimeUnit.SECONDS.toNanos(55));
        assertTrue(budget.tryTake(1, Priority.SHARED));
    }

    @Test
    void should_send_nothing_while_the_compute_unit_asked_for_a_pause() {
        budget.holdOff(Duration.ofSeconds(60));

        assertFalse(budget.tryTake(1, Priority.SHARED));
        assertEquals(60, budget.secondsUntilFree(Priority.SHARED));
        clock.addAndGet(TimeUnit.SECONDS.toNanos(60));
        assertTrue(budget.tryTake(1, Priority.SHARED));
    }

    @Test
    void should_not_limit_a_compute_unit_of_your_own() {
        DryrunBudget unlimited = new DryrunBudget(0, clock::get);
        for (int i = 0; i < 1_000; i++) {
            assertTrue(unlimited.tryTake(3, Priority.ANSWERED_STALE));
        }
    }
}
