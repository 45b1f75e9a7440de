package com.permamind.gateway.query;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One validated read: the query (route id), the Lua function that answers it, and the Lua
 * parameters, normalised so that equal requests are equal here, in the cache and upstream.
 */
public record RegistryRequest(String query, String function, SortedMap<String, String> params) {

    public RegistryRequest {
        params = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(params));
    }

    /** The cache key: nothing from the raw request, only what the upstream call is built from. */
    public String key() {
        StringBuilder key = new StringBuilder(query);
        for (Map.Entry<String, String> param : params.entrySet()) {
            key.append('\u0000').append(param.getKey()).append('=').append(param.getValue());
        }
        return key.toString();
    }

    public String param(String name) {
        return params.get(name);
    }
}
