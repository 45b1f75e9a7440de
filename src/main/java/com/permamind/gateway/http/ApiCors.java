package com.permamind.gateway.http;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.spi.RestConfiguration;

/**
 * The CORS headers of the API's answers, from the REST configuration (registry-api.yaml).
 *
 * <p>Camel's REST binding sets the allow headers but never {@code Access-Control-Expose-Headers},
 * without which a browser hides {@code X-Registry-Source}, {@code ETag} and the rest from the web
 * app; the HTTP consumer adds it from the same configuration.
 */
public final class ApiCors {

    public static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";

    private ApiCors() {
    }

    /**
     * Every CORS header of an answer, as Camel's REST binding sets them (its defaults for those not
     * configured) plus the exposed headers; null when they depend on the request: credentials
     * allowed with any origin make Camel echo the request's Origin.
     */
    public static Map<String, String> headers(RestConfiguration rest) {
        Map<String, String> cors = new LinkedHashMap<>();
        if (!rest.isEnableCORS()) {
            return cors;
        }
        Map<String, String> configured = rest.getCorsHeaders() == null ? Map.of() : rest.getCorsHeaders();
        String origin = configured.getOrDefault("Access-Control-Allow-Origin",
                RestConfiguration.CORS_ACCESS_CONTROL_ALLOW_ORIGIN);
        String credentials = configured.get("Access-Control-Allow-Credentials");
        if ("true".equalsIgnoreCase(credentials) && "*".equals(origin)) {
            return null;
        }
        cors.put("Access-Control-Allow-Origin", origin);
        cors.put("Access-Control-Allow-Methods", configured.getOrDefault("Access-Control-Allow-Methods",
                RestConfiguration.CORS_ACCESS_CONTROL_ALLOW_METHODS));
        cors.put("Access-Control-Allow-Headers", configured.getOrDefault("Access-Control-Allow-Headers",
                RestConfiguration.CORS_ACCESS_CONTROL_ALLOW_HEADERS));
        cors.put("Access-Control-Max-Age", configured.getOrDefault("Access-Control-Max-Age",
                RestConfiguration.CORS_ACCESS_CONTROL_MAX_AGE));
        if (credentials != null) {
            cors.put("Access-Control-Allow-Credentials", credentials);
        }
        String exposed = exposedHeaders(rest);
        if (exposed != null) {
            cors.put(EXPOSE_HEADERS, exposed);
        }
        return cors;
    }

    /** The configured {@code Access-Control-Expose-Headers}, or null. */
    public static String exposedHeaders(RestConfiguration rest) {
        return rest.isEnableCORS() && rest.getCorsHeaders() != null ? rest.getCorsHeaders().get(EXPOSE_HEADERS) : null;
    }
}
