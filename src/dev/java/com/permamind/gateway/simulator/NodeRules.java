package com.permamind.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the simulated HyperBEAM node asks of its callers besides a well-formed path (contract §4),
 * switchable at run time ({@link RegistrySimulator#nodeRules(NodeRules)}, {@code /__admin/node}).
 * The admin form is the JSON of the components, each optional when changing them.
 *
 * @param price             what a read costs on a paid node; a read whose price exceeds the
 *                          balance is answered 402; 0 (the default) is a free node
 * @param balance           the caller's balance on a paid node
 * @param requestsPerWindow the node's own limit per client address: more reads than this within
 *                          {@code windowMillis} are answered 429 with {@code Retry-After}; 0 (the
 *                          default) is no limit, as the gateway's benchmarks send thousands of reads
 *                          a second from one address
 * @param windowMillis      the limiter's sliding window
 * @param nowLatencyMillis  what a {@code now} read costs over a {@code compute} one: the node asks
 *                          the scheduler for the current slot and computes up to it
 */
public record NodeRules(long price, long balance, int requestsPerWindow, long windowMillis, long nowLatencyMillis) {

    /** A free node with no limit of its own, whose {@code now} reads take 100 ms more than {@code compute}. */
    public static final NodeRules DEFAULT = new NodeRules(0, 0, 0, 1000, 100);

    public NodeRules {
        if (price < 0 || balance < 0 || requestsPerWindow < 0 || nowLatencyMillis < 0) {
            throw new IllegalArgumentException("node rules cannot be negative");
        }
        if (windowMillis <= 0) {
            throw new IllegalArgumentException("the rate limit's window must be positive");
        }
    }

    /** A paid node: every read costs {@code price} and the caller holds {@code balance}. */
    public NodeRules paid(long price, long balance) {
        return new NodeRules(price, balance, requestsPerWindow, windowMillis, nowLatencyMillis);
    }

    public NodeRules rateLimited(int requests, long windowMillis) {
        return new NodeRules(price, balance, requests, windowMillis, nowLatencyMillis);
    }

    public NodeRules nowLatency(long millis) {
        return new NodeRules(price, balance, requestsPerWindow, windowMillis, millis);
    }

    boolean refusesPayment() {
        return price > balance;
    }

    boolean limitsRate() {
        return requestsPerWindow > 0;
    }

    /** These rules with the fields {@code json} names changed. */
    NodeRules with(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("node rules are a JSON object");
        }
        return new NodeRules(json.path("price").asLong(price), json.path("balance").asLong(balance),
                json.path("requestsPerWindow").asInt(requestsPerWindow), json.path("windowMillis").asLong(windowMillis),
                json.path("nowLatencyMillis").asLong(nowLatencyMillis));
    }

    ObjectNode toJson(ObjectMapper mapper) {
        return mapper.valueToTree(this);
    }
}
