package com.permamind.gateway.simulator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** The node's rules in force, and its own per-address limiter: a sliding window of each address's reads. */
final class NodeRulesSwitch {

    private NodeRules rules;
    private final Map<String, Deque<Long>> recent = new HashMap<>();

    NodeRulesSwitch(NodeRules rules) {
        this.rules = rules;
    }

    synchronized NodeRules current() {
        return rules;
    }

    /** Replaces the rules; the limiter starts counting afresh. */
    synchronized void switchTo(NodeRules next) {
        rules = next;
        recent.clear();
    }

    /**
     * Counts a read from {@code address} at {@code nowMillis} if the limit lets it through.
     *
     * @return 0 when the read may go on, otherwise how many milliseconds until it could
     */
    synchronized long admit(String address, long nowMillis) {
        if (!rules.limitsRate()) {
            return 0;
        }
        Deque<Long> reads = recent.computeIfAbsent(address, key -> new ArrayDeque<>());
        while (!reads.isEmpty() && reads.peekFirst() <= nowMillis - rules.windowMillis()) {
            reads.removeFirst();
        }
        if (reads.size() >= rules.requestsPerWindow()) {
            return reads.peekFirst() + rules.windowMillis() - nowMillis;
        }
        reads.addLast(nowMillis);
        return 0;
    }
}
