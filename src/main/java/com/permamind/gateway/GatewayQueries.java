package com.permamind.gateway;

import java.util.List;

/** The seven reads, as /api/info lists them: one route each, stamped from registry-query.yaml. */
public final class GatewayQueries {

    public static final List<String> NAMES = List.of("info", "search-skills", "list-skills", "get-skill",
            "get-skill-versions", "get-download-stats", "get-registry-download-stats");

    private GatewayQueries() {
    }
}
