package com.permamind.gateway.simulator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * A per-client-address limit as upstreams keep one: a sliding window of each address's admitted
 * requests (the strictest reading of "N per window": no window-long span ever holds one more). Times
 * are in whatever unit the caller uses, the same for {@code now} and {@code window}.
 */
final class AddressWindows {

    private final Map<String, Deque<Long>> admitted = new HashMap<>();

    /**
     * Counts a request from {@code address} at {@code now} if fewer than {@code limit} were admitted in the
     * window before it.
     *
     * @return 0 when admitted, otherwise how long until it would be
     */
    synchronized long admit(String address, long now, int limit, long window) {
        Deque<Long> times = admitted.computeIfAbsent(address, key -> new ArrayDeque<>());
        while (!times.isEmpty() && now - times.peekFirst() >= window) {
            times.removeFirst();
        }
        if (times.size() >= limit) {
            return times.peekFirst() + window - now;
        }
        times.addLast(now);
        return 0;
    }

    synchronized void clear() {
        admitted.clear();
    }
}
