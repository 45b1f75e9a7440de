package com.permamind.gateway.query;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One validated read: the query (route id), the Lua function that answers it, and its canonical
 * request as the Lua module reads it (RegistryRequests), so that requests the module answers alike
 * are equal here, in the cache and upstream.
 *
 * <p>The parameters are held as one sorted array of names and values, not a map: every cached
 * answer and every remembered URI keeps a request, and a sorted map took about 200 bytes more each
 * (docs/java25.md, "The heap").
 */
public final class RegistryRequest {

    /** The parameter of a clocked read (download windows): the gateway's minute, in epoch milliseconds. */
    public static final String NOW = "now";
    public static final long MINUTE_MS = 60_000;

    private final String query;
    private final String function;
    // name, value, name, value...: sorted by name; names interned, as few distinct ones exist
    private final String[] params;

    public RegistryRequest(String query, String function, Map<String, String> params) {
        this(query, function, pairs(params));
    }

    private RegistryRequest(String query, String function, String[] params) {
        this.query = query;
        this.function = function;
        this.params = params;
    }

    /** The start of the minute {@code epochMillis} falls in: a clocked read's {@value #NOW}. */
    public static long minuteOf(long epochMillis) {
        return epochMillis / MINUTE_MS * MINUTE_MS;
    }

    private static String[] pairs(Map<String, String> params) {
        SortedMap<String, String> sorted = params instanceof SortedMap<String, String> map && map.comparator() == null
                ? map : new TreeMap<>(params);
        String[] pairs = new String[sorted.size() * 2];
        int at = 0;
        for (Map.Entry<String, String> param : sorted.entrySet()) {
            pairs[at++] = param.getKey().intern();
            pairs[at++] = param.getValue();
        }
        return pairs;
    }

    public String query() {
        return query;
    }

    public String function() {
        return function;
    }

    /** The parameters, sorted by name (a copy: made for an upstream call, not kept). */
    public SortedMap<String, String> params() {
        TreeMap<String, String> map = new TreeMap<>();
        for (int at = 0; at < params.length; at += 2) {
            map.put(params[at], params[at + 1]);
        }
        return Collections.unmodifiableSortedMap(map);
    }

    public String param(String name) {
        for (int at = 0; at < params.length; at += 2) {
            if (params[at].equals(name)) {
                return params[at + 1];
            }
        }
        return null;
    }

    /**
     * The key of this read in the response cache, the validation memo and the cache front's URI
     * index: nothing from the raw request, only what the upstream call is built from. Every part is
     * written as its length, a colon and its text, so no value can spell another parameter, however
     * it was encoded in the request ({@code offset=0%00q%3Dclaude} is not {@code offset=0&q=claude}).
     */
    public String key() {
        return key(query);
    }

    /** The key of these parameters under {@code name} (the query, or the function for the validation memo). */
    public String key(String name) {
        StringBuilder key = new StringBuilder(64);
        field(key, name);
        for (String part : params) {
            field(key, part);
        }
        return key.toString();
    }

    private static void field(StringBuilder key, String text) {
        key.append(text.length()).append(':').append(text);
    }

    /** A clocked read as it was asked {@code minutes} minutes earlier (another cache key); empty for any other read. */
    public Optional<RegistryRequest> minutesEarlier(int minutes) {
        String now = param(NOW);
        if (now == null) {
            return Optional.empty();
        }
        String[] earlier = params.clone();
        for (int at = 0; at < earlier.length; at += 2) {
            if (earlier[at].equals(NOW)) {
                earlier[at + 1] = Long.toString(Long.parseLong(now) - minutes * MINUTE_MS);
            }
        }
        return Optional.of(new RegistryRequest(query, function, earlier));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RegistryRequest that && query.equals(that.query) && function.equals(that.function)
                && Arrays.equals(params, that.params);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * query.hashCode() + function.hashCode()) + Arrays.hashCode(params);
    }

    @Override
    public String toString() {
        return "RegistryRequest[query=" + query + ", function=" + function + ", params=" + params() + "]";
    }
}
