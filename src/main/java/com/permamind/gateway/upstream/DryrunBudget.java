package com.permamind.gateway.upstream;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The dry-runs the gateway may send one compute unit: at most {@code perMinute} in any minute (a real
 * compute unit refuses a client address its seventh in 60 s, contract section 5), none while the unit
 * asked to be left alone (a 429 or a 503 with {@code Retry-After}). A read that finds no dry-run left
 * is refused at once, never queued: it answers stale or 503 with the wait this budget names.
 *
 * <p>Shared loads (the snapshot that serves every search, list and latest-skill read) may take the
 * last dry-run of the window; a read with no answer to fall back on leaves one for them; a read that
 * could be answered stale leaves one more, so that readers with nothing else come first.
 * (Not resilience4j's RateLimiter: it counts fixed cycles, which let 12 through in 60 s across a cycle
 * edge, and keeps nothing back for shared loads.)
 */
public final class DryrunBudget {

    /** Who asks, from the most to the least needed. */
    public enum Priority {
        /** A load that serves many reads at once. */
        SHARED(0),
        /** A read with no stale answer to fall back on. */
        UNANSWERED(1),
        /** A read that has a stale answer, or a background refresh. */
        ANSWERED_STALE(2);

        private final int keptFree;

        Priority(int keptFree) {
            this.keptFree = keptFree;
        }
    }

    // The compute unit counts a dry-run when it arrives, the gateway when it sends it: the window is a
    // second longer than the unit's, so that a slow send cannot bring a seventh into its minute.
    private static final Duration WINDOW = Duration.ofSeconds(61);

    private final int perMinute;
    private final LongSupplier nanoClock;
    private final Deque<Long> sent = new ArrayDeque<>();
    // nanoTime values compare only by difference: "held off until start", i.e. not held off
    private long heldOffUntil;

    /** @param perMinute dry-runs in any minute; 0 = no limit (a compute unit of your own) */
    public DryrunBudget(int perMinute, LongSupplier nanoClock) {
        if (perMinute < 0) {
            throw new IllegalArgumentException("ao.dryruns-per-minute must be 0 (no limit) or more, not " + perMinute);
        }
        this.perMinute = perMinute;
        this.nanoClock = nanoClock;
        this.heldOffUntil = nanoClock.getAsLong();
    }

    public int perMinute() {
        return perMinute;
    }

    /** Takes {@code count} dry-runs at once, or none (false): a read needs all of its dry-runs to answer. */
    public synchronized boolean tryTake(int count, Priority priority) {
        long now = nanoClock.getAsLong();
        if (now - heldOffUntil < 0) {
            return false;
        }
        if (perMinute == 0 || count == 0) {
            return true;
        }
        forgetOlderThanWindow(now);
        int free = perMinute - sent.size();
        // a read that needs more than the whole budget can still be served once the window is empty
        int keptFree = Math.min(priority.keptFree, Math.max(0, perMinute - count));
        if (free - count < keptFree) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            sent.addLast(now);
        }
        return true;
    }

    /** The compute unit refused (429) or is unavailable with a Retry-After: no dry-run before it has passed. */
    public synchronized void holdOff(Duration wait) {
        long until = nanoClock.getAsLong() + wait.toNanos();
        if (until - heldOffUntil > 0) {
            heldOffUntil = until;
        }
    }

    /** Whole seconds until a read of this priority could find a dry-run again (at least 1). */
    public synchronized long secondsUntilFree(Priority priority) {
        long now = nanoClock.getAsLong();
        long wait = Math.max(0, heldOffUntil - now);
        if (perMinute > 0) {
            forgetOlderThanWindow(now);
            int mustLeave = sent.size() - (perMinute - 1 - Math.min(priority.keptFree, perMinute - 1));
            if (mustLeave > 0) {
                long leaves = sent.stream().skip(mustLeave - 1).findFirst().orElse(now) + WINDOW.toNanos() - now;
                wait = Math.max(wait, leaves);
            }
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + 999_999_999));
    }

    /** Dry-runs sent in the last window, for metrics and readiness. */
    public synchronized int sentInWindow() {
        forgetOlderThanWindow(nanoClock.getAsLong());
        return sent.size();
    }

    private void forgetOlderThanWindow(long now) {
        while (!sent.isEmpty() && now - sent.peekFirst() >= WINDOW.toNanos()) {
            sent.pollFirst();
        }
    }
}
