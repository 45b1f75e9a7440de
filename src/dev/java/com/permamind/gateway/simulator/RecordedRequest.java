package com.permamind.gateway.simulator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A protocol request as the upstream received it, so tests can check what the gateway sent.
 *
 * @param path     the raw (still percent-encoded) path
 * @param query    the decoded query parameters, names as sent (not lowercased), in the order sent
 * @param function what the call counter counts it under: the Lua function name or the dryrun Action
 */
public record RecordedRequest(String method, String path, Map<String, List<String>> query, String body, String function) {

    public RecordedRequest {
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    }

    /** The first value of a query parameter, or {@code null}. */
    public String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
