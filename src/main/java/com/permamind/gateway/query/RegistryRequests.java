package com.permamind.gateway.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.lua.RegistryState;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;

/**
 * Turns an HTTP request into a {@link RegistryRequest}: only the query's own parameters, taken
 * from the query string (never from headers) and the path, normalised, with the gateway's clock
 * where the query needs one. The rules themselves are the Lua module's: it runs here over an
 * empty state, so bad input is refused exactly as a node would refuse it, before any upstream call.
 */
public class RegistryRequests {

    public static final String REQUEST = "registryRequest";
    /** A whole query string past this is refused outright; no parameter needs more. */
    public static final int MAX_QUERY_STRING = 4096;

    private static final Map<String, String> DEFAULTS = Map.of("limit", "20", "offset", "0", "timerange", "all");
    private static final String SPACE = " \t\n\u000b\f\r";

    private static final long VERDICTS_MAX_BYTES = 4L << 20;

    private final RegistryModule module;
    private final RegistryState emptyState;
    private final Clock clock;
    // The module's verdict per request (its refusal's message, or empty): a verdict depends only on
    // the function and its parameters, and popular ones come again (a refreshed key, a download of
    // a popular skill, a flood of one bad name); running the module costs more than looking it up
    private final Cache<String, Optional<String>> verdicts = Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumWeight(VERDICTS_MAX_BYTES)
            .weigher((String key, Optional<String> refusal) -> 96 + 2 * (key.length() + refusal.map(String::length).orElse(0)))
            .build();

    public RegistryRequests(RegistryModule module, Clock clock) {
        this.module = module;
        this.emptyState = module.decode("{}");
        this.clock = clock;
    }

    /**
     * Reads the request for a query and leaves it in the {@value #REQUEST} exchange property.
     *
     * @param pathParams  parameters taken from the URL path (comma list)
     * @param queryParams parameters taken from the query string (comma list, API spelling)
     * @param fixedParams parameters the query always sends, e.g. {@code scope=all}
     * @param clocked     whether the answer depends on the time, so {@code now} is sent
     */
    public RegistryRequest prepare(Exchange exchange, @ExchangeProperty("registryQuery") String query,
            @ExchangeProperty("registryFunction") String function,
            @ExchangeProperty("registryPathParams") String pathParams,
            @ExchangeProperty("registryQueryParams") String queryParams,
            @ExchangeProperty("registryFixedParams") String fixedParams,
            @ExchangeProperty("registryClocked") boolean clocked) {
        Message in = exchange.getMessage();
        TreeMap<String, String> params = new TreeMap<>();
        for (String name : list(pathParams)) {
            Object value = in.getHeader(name);
            // a query parameter of the same name joins the path's value in a list; the path's is last
            if (value instanceof List<?> values && !values.isEmpty()) {
                value = values.get(values.size() - 1);
            }
            if (value != null) {
                params.put(luaName(name), value.toString());
            }
        }
        Map<String, List<String>> queryString = parseQuery(in.getHeader(Exchange.HTTP_RAW_QUERY, String.class));
        for (String name : list(queryParams)) {
            List<String> values = queryString.get(name);
            if (values == null) {
                continue;
            }
            if (values.size() > 1) {
                throw new BadRequestException(name + " is given more than once");
            }
            params.put(luaName(name), normalise(luaName(name), values.get(0)));
        }
        for (String name : list(queryParams)) {
            String key = luaName(name);
            if (DEFAULTS.containsKey(key)) {
                params.putIfAbsent(key, DEFAULTS.get(key));
            }
        }
        for (String fixed : list(fixedParams)) {
            String[] pair = fixed.split("=", 2);
            params.put(pair[0], pair[1]);
        }
        if (clocked) {
            params.put(RegistryRequest.NOW, Long.toString(RegistryRequest.minuteOf(clock.millis())));
        }
        RegistryRequest request = new RegistryRequest(query, function, params);
        exchange.setProperty(REQUEST, request);
        return request;
    }

    /** Refuses the request as the Lua module would, without any state, so without any upstream. */
    public void validate(@ExchangeProperty(REQUEST) RegistryRequest request) {
        Optional<String> refusal = verdicts.get(request.key(), key -> {
            RegistryModule.Refusal verdict = module.refusal(request.function(), emptyState, request.params());
            return verdict != null && "bad_request".equals(verdict.kind()) ? Optional.of(verdict.message()) : Optional.empty();
        });
        if (refusal.isPresent()) {
            throw new BadRequestException(refusal.get());
        }
    }

    private static String luaName(String apiName) {
        return apiName.toLowerCase(Locale.ROOT);
    }

    // Case is folded only where the answer does not echo the value, so the body cannot change.
    private static String normalise(String name, String value) {
        switch (name) {
            case "q":
                return trim(value);
            case "author":
            case "name":
                return foldAscii(trim(value));
            case "tags": {
                List<String> tags = new ArrayList<>();
                for (String tag : value.split(",")) {
                    String folded = foldAscii(trim(tag));
                    if (!folded.isEmpty()) {
                        tags.add(folded);
                    }
                }
                tags.sort(null);
                return String.join(",", tags);
            }
            case "limit":
            case "offset":
                return value.matches("\\d{1,9}") ? Integer.toString(Integer.parseInt(value)) : value;
            default:
                return value;
        }
    }

    private static String trim(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && SPACE.indexOf(text.charAt(start)) >= 0) {
            start++;
        }
        while (end > start && SPACE.indexOf(text.charAt(end - 1)) >= 0) {
            end--;
        }
        return text.substring(start, end);
    }

    private static String foldAscii(String text) {
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] = (char) (chars[i] + 32);
            }
        }
        return new String(chars);
    }

    private static List<String> list(String commaList) {
        if (commaList == null || commaList.isBlank()) {
            return List.of();
        }
        return Arrays.stream(commaList.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static Map<String, List<String>> parseQuery(String rawQuery) {
        Map<String, List<String>> params = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        if (rawQuery.length() > MAX_QUERY_STRING) {
            throw new BadRequestException("the query string is longer than " + MAX_QUERY_STRING + " characters");
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return params;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("the query string is not properly percent-encoded");
        }
    }
}
