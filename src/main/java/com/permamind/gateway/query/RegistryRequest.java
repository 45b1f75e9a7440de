package com.permamind.gateway.query;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One validated read: the query (route id), the Lua function that answers it, and its canonical
 * request as the Lua module reads it (RegistryRequests), so that requests the module answers alike
 * are equal here, in the cache and upstream.
 */
public record RegistryRequest(String query, String function, SortedMap<String, String> params) {

    /** The parameter of a clocked read (download windows): the gateway's minute, in epoch milliseconds. */
    public static final String NOW = "now";
    public static final long MINUTE_MS = 60_000;

    /** The start of the minute {@code epochMillis} falls in: a clocked read's {@value #NOW}. */
    public static long minuteOf(long epochMillis) {
        return epochMillis / MINUTE_MS * MINUTE_MS;
    }

    public RegistryRequest {
        params = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(params));
    }

    /**
     * The key of this read in the response cache, the validation memo and the cache front's URI
     * index: nothing from the raw request, only what the upstream call is built from. Every part is
     * written as its length, a colon and its text, so no value can spell another parameter, however
     * it was encoded in the request ({@code offset=0%00q%3Dclaude} is not {@code offset=0&q=claude}).
     */
    public String key() {
        return key(query, params);
    }

    /** The key of {@code name} with these parameters, written as {@link #key()} writes it. */
    static String key(String name, Map<String, String> params) {
        StringBuilder key = new StringBuilder(64);
        field(key, name);
        for (Map.Entry<String, String> param : params.entrySet()) {
            field(key, param.getKey());
            field(key, param.getValue());
        }
        return key.toString();
    }

    private static void field(StringBuilder key, String text) {
        key.append(text.length()).append(':').append(text);
    }

    public String param(String name) {
        return params.get(name);
    }

    /** A clocked read as it was asked {@code minutes} minutes earlier (another cache key); empty for any other read. */
    public Optional<RegistryRequest> minutesEarlier(int minutes) {
        String now = params.get(NOW);
        if (now == null) {
            return Optional.empty();
        }
        TreeMap<String, String> earlier = new TreeMap<>(params);
        earlier.put(NOW, Long.toString(Long.parseLong(now) - minutes * MINUTE_MS));
        return Optional.of(new RegistryRequest(query, function, earlier));
    }
}
