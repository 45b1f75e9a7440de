package com.permamind.gateway.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.spi.RestConfiguration;

/**
 * The CORS headers of the API's answers, from the REST configuration (registry-api.yaml), written
 * by the answer writer on every answer, whoever gave it: the cache front or a route.
 *
 * <p>Camel's REST binding sets the allow headers but never {@code Access-Control-Expose-Headers},
 * without which a browser hides {@code X-Registry-Source}, {@code ETag} and the rest from the web
 * app; and it writes the configured origin ({@code gateway.cors-origins}) as it is, where that is a
 * list: {@code *} for any origin, else the origins allowed, comma-separated, or none. Here the
 * answer gets the request's {@code Origin} when the list holds it, none otherwise, with
 * {@code Vary: Origin}.
 */
public final class ApiCors {

    public static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    public static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";
    private static final String ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials";
    private static final String ANY = "*";
    private static final CharSequence ALLOW_ORIGIN_NAME = HttpHeaders.createOptimized(ALLOW_ORIGIN);
    private static final CharSequence ORIGIN = HttpHeaders.createOptimized("Origin");

    // every header but the origin's, as Camel's REST binding sets them (its defaults for those not
    // configured), plus the exposed headers; empty without CORS
    private final Map<CharSequence, CharSequence> headers = new LinkedHashMap<>();
    private final boolean any;
    private final Set<String> listed;
    // credentials allowed with any origin: the request's Origin is echoed, as Camel's binding does
    private final boolean echoOrigin;

    public ApiCors(RestConfiguration rest) {
        Map<String, String> configured = rest.getCorsHeaders() == null ? Map.of() : rest.getCorsHeaders();
        String origins = configured.getOrDefault(ALLOW_ORIGIN, RestConfiguration.CORS_ACCESS_CONTROL_ALLOW_ORIGIN).trim();
        this.any = ANY.equals(origins);
        this.listed = Arrays.stream(origins.split(",")).map(String::trim).filter(origin -> !origin.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        String credentials = configured.get(ALLOW_CREDENTIALS);
        this.echoOrigin = any && "true".equalsIgnoreCase(credentials);
        if (!rest.isEnableCORS()) {
            return;
        }
        put("Access-Control-Allow-Methods", configured.getOrDefault("Access-Control-Allow-Methods",
                RestConfiguration.CORS_ACCESS_CONTROL_ALLOW_METHODS));
        put("Access-Control-Allow-Headers", configured.getOrDefault("Access-Control-Allow-Headers",
                RestConfiguration.CORS_ACCESS_CONTROL_ALLOW_HEADERS));
        put("Access-Control-Max-Age", configured.getOrDefault("Access-Control-Max-Age",
                RestConfiguration.CORS_ACCESS_CONTROL_MAX_AGE));
        if (credentials != null) {
            put(ALLOW_CREDENTIALS, credentials);
        }
        if (configured.get(EXPOSE_HEADERS) != null) {
            put(EXPOSE_HEADERS, configured.get(EXPOSE_HEADERS));
        }
    }

    private void put(String name, String value) {
        headers.put(HttpHeaders.createOptimized(name), HttpHeaders.createOptimized(value));
    }

    /** Puts the CORS headers of an answer to a request from {@code origin} (null: none sent). */
    public void addTo(MultiMap answer, String origin) {
        if (headers.isEmpty()) {
            return;
        }
        headers.forEach(answer::set);
        String allowed = echoOrigin ? origin : any ? ANY : origin != null && listed.contains(origin) ? origin : null;
        if (allowed == null) {
            answer.remove(ALLOW_ORIGIN_NAME);
        } else {
            answer.set(ALLOW_ORIGIN_NAME, allowed);
        }
        if (!any || echoOrigin) {
            answer.set(HttpHeaders.VARY, ORIGIN);
        }
    }
}
