package com.permamind.gateway.http;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.spi.RestConfiguration;

/**
 * The CORS headers of the API's answers, from the REST configuration (registry-api.yaml).
 *
 * <p>Camel's REST binding sets the allow headers but never {@code Access-Control-Expose-Headers},
 * without which a browser hides {@code X-Registry-Source}, {@code ETag} and the rest from the web
 * app; the HTTP consumer adds it from the same configuration.
 *
 * <p>The configured origin ({@code gateway.cors-origins}) is a list: {@code *} for any origin, else
 * the origins allowed, comma-separated, or none. Camel's binding writes it as it is; the consumer
 * and the cache front replace it with the request's {@code Origin} when the list holds it, and
 * drop it otherwise ({@link #allowedOrigin}), with {@code Vary: Origin}.
 */
public final class ApiCors {

    public static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    public static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";
    private static final String ANY = "*";

    private ApiCors() {
    }

    /**
     * Every CORS header of an answer but {@value #ALLOW_ORIGIN}, as Camel's REST binding sets them
     * (its defaults for those not configured) plus the exposed headers; null when they depend on
     * the request in a way only Camel's binding answers: credentials allowed with any origin make
     * Camel echo the request's Origin.
     */
    public static Map<String, String> headers(RestConfiguration rest) {
        Map<String, String> cors = new LinkedHashMap<>();
        if (!rest.isEnableCORS()) {
            return cors;
        }
        Map<String, String> configured = rest.getCorsHeaders() == null ? Map.of() : rest.getCorsHeaders();
        String credentials = configured.get("Access-Control-Allow-Credentials");
        if ("true".equalsIgnoreCase(credentials) && ANY.equals(origins(rest))) {
            return null;
        }
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

    /** The origins the configuration allows: any, or those listed (none when the list is empty). */
    public static AllowedOrigins allowedOrigins(RestConfiguration rest) {
        String configured = origins(rest);
        if (ANY.equals(configured)) {
            return new AllowedOrigins(true, Set.of());
        }
        return new AllowedOrigins(false, Arrays.stream(configured.split(",")).map(String::trim)
                .filter(origin -> !origin.isEmpty()).collect(Collectors.toUnmodifiableSet()));
    }

    private static String origins(RestConfiguration rest) {
        Map<String, String> configured = rest.getCorsHeaders() == null ? Map.of() : rest.getCorsHeaders();
        return configured.getOrDefault(ALLOW_ORIGIN, RestConfiguration.CORS_ACCESS_CONTROL_ALLOW_ORIGIN).trim();
    }

    /** Origins allowed to read the API from a browser. */
    public record AllowedOrigins(boolean any, Set<String> listed) {

        /** The {@value #ALLOW_ORIGIN} for a request from {@code origin}, or null when it is not allowed. */
        public String allowedOrigin(String origin) {
            if (any) {
                return ANY;
            }
            return origin != null && listed.contains(origin) ? origin : null;
        }

        /** Whether the answer depends on the request's Origin, so caches must keep one per origin. */
        public boolean variesByOrigin() {
            return !any;
        }
    }
}
