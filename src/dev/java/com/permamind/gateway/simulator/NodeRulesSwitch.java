package com.permamind.gateway.simulator;


/** The node's rules in force, and its own per-address limiter: a sliding window of each address's reads. */
final class NodeRulesSwitch {

    private NodeRules rules;
    private final AddressWindows recent = new AddressWindows();

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
        return recent.admit(address, nowMillis, rules.requestsPerWindow(), rules.windowMillis());
    }
}
