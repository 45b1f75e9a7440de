package com.permamind.gateway.simulator;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What a compute unit of late 2025 puts in front of its evaluations (contract section 5, the ao CU's
 * {@code servers/cu}): at most {@code perWindow} dry-runs per client address in any {@code window},
 * beyond which it answers 429, and the result of an identical dry-run body kept for
 * {@code resultCache}, whose hits are not counted. Optionally busy: 202, nothing evaluated.
 */
public final class DryRunLimits {

    /**
     * @param perWindow   dry-runs one address may have evaluated in any window; 0 = no limit (a compute unit of your own)
     * @param resultCache how long the result of an identical body is served again; zero = not at all
     */
    public record Settings(int perWindow, Duration window, Duration resultCache) {

        /** The ao compute unit's defaults. */
        public static final Settings REAL = new Settings(6, Duration.ofSeconds(60), Duration.ofSeconds(60));
        /** A compute unit run for one gateway alone, without limits: for tests about something else. */
        public static final Settings UNLIMITED = new Settings(0, Duration.ofSeconds(60), Duration.ZERO);
    }

    private final Settings settings;
    private final LongSupplier nanoClock;
    private final AddressWindows evaluatedByAddress = new AddressWindows();
    private final Cache<String, String> results;
    private volatile boolean busy;

    DryRunLimits(Settings settings, LongSupplier nanoClock) {
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.results = Caffeine.newBuilder().maximumSize(10_000)
                .expireAfterWrite(settings.resultCache().isZero() ? Duration.ofNanos(1) : settings.resultCache()).build();
    }

    Settings settings() {
        return settings;
    }

    /** The result of an identical body evaluated within the cache's time, if any. */
    Optional<String> cachedResult(String body) {
        return settings.resultCache().isZero() ? Optional.empty() : Optional.ofNullable(results.getIfPresent(body));
    }

    void remember(String body, String result) {
        if (!settings.resultCache().isZero()) {
            results.put(body, result);
        }
    }

    /** Counts an evaluation for the address, or answers false when it has had its share of the window. */
    boolean admit(String address) {
        if (settings.perWindow() <= 0) {
            return true;
        }
        return evaluatedByAddress.admit(address, nanoClock.getAsLong(), settings.perWindow(), settings.window().toNanos()) == 0;
    }

    boolean busy() {
        return busy;
    }

    void busy(boolean busy) {
        this.busy = busy;
    }

    /** Forgets the counts and cached results: a compute unit restarted. */
    void reset() {
        evaluatedByAddress.clear();
        results.invalidateAll();
    }
}
