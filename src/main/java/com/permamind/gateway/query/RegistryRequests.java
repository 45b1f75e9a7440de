package com.permamind.gateway.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.permamind.gateway.lua.RegistryModule;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;

/**
 * Turns an HTTP request into a {@link RegistryRequest}: only the query's own parameters, taken
 * from the query string (never from headers) and the path, with the gateway's clock where the
 * query needs one, read by the Lua module into its canonical request. The rules are the module's
 * ({@code canonical-request}, over no state): bad input is refused exactly as a node would refuse
 * it, before any upstream call, and what the cache keys and the upstreams receive is what the
 * module made of the request.
 */
public class RegistryRequests {

    public static final String REQUEST = "registryRequest";
    /** A whole query string past this is refused outright; no parameter needs more. */
    public static final int MAX_QUERY_STRING = 4096;

    private static final long CANONICAL_MAX_BYTES = 4L << 20;

    private final RegistryModule module;
    private final Clock clock;
    // The module's reading of each request as asked (its canonical parameters, or its refusal): it
    // depends only on the function and the parameters, and popular ones come again (a refreshed
    // key, a download of a popular skill, a flood of one bad name); running the module took 7-50 us
    // a request, looking it up under 1 us (docs/requests.md)
    private final Cache<String, RegistryModule.Canonical> canonical = Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumWeight(CANONICAL_MAX_BYTES)
            .weigher((String key, RegistryModule.Canonical read) -> 96 + 2 * (key.length() + weight(read)))
            .build();

    public RegistryRequests(RegistryModule module, Clock clock) {
        this.module = module;
        this.clock = clock;
    }

    /**
     * Reads the request for a query and leaves it in the {@value #REQUEST} exchange property;
     * input the module refuses is a {@link BadRequestException}.
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
            params.put(luaName(name), values.get(0));
        }
        for (String fixed : list(fixedParams)) {
            String[] pair = fixed.split("=", 2);
            params.put(pair[0], pair[1]);
        }
        if (clocked) {
            params.put(RegistryRequest.NOW, Long.toString(RegistryRequest.minuteOf(clock.millis())));
        }
        RegistryRequest request = canonical(new RegistryRequest(query, function, params));
        exchange.setProperty(REQUEST, request);
        return request;
    }

    /**
     * The request as the Lua module reads it, without any state, so without any upstream; input
     * it refuses is a {@link BadRequestException}.
     */
    public RegistryRequest canonical(RegistryRequest asked) {
        RegistryModule.Canonical read = canonical.get(asked.key(asked.function()),
                key -> module.canonical(asked.function(), asked.params()));
        if (read.refusal() != null) {
            throw new BadRequestException(read.refusal().message());
        }
        return new RegistryRequest(asked.query(), asked.function(), read.params());
    }

    /**
     * Refuses the request as the Lua module would (a {@link BadRequestException}), without any
     * upstream: for requests built elsewhere (download events). {@link #prepare} already refused
     * the reads it made.
     */
    public void validate(@ExchangeProperty(REQUEST) RegistryRequest request) {
        canonical(request);
    }

    private static int weight(RegistryModule.Canonical read) {
        if (read.refusal() != null) {
            return read.refusal().message().length();
        }
        int chars = 0;
        for (Map.Entry<String, String> param : read.params().entrySet()) {
            chars += param.getKey().length() + param.getValue().length();
        }
        return chars;
    }

    private static String luaName(String apiName) {
        return apiName.toLowerCase(Locale.ROOT);
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
