package com.permamind.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.permamind.gateway.JsonMappers;
import com.permamind.gateway.query.RegistryRequest;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.hc.core5.http.HttpHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tier 1: a HyperBEAM dynamic read, our Lua module running on a node over the process state
 * (registry-contract.md section 4). Nodes are tried in order; anything but a 200 JSON {@code {ok}}
 * answer is a failure (a paid node's 402, a node's own 429, its HTML 404 and 500 pages, a body
 * that is not JSON or not {@code {ok}}-shaped), which the circuit breaker counts. A domain answer
 * ({@code ok=false}) is not a failure. A node that answers with {@code Retry-After} is not called
 * again before then: the next node is, or the read fails into the breaker.
 */
public class HyperbeamReader {

    private static final Logger LOG = LoggerFactory.getLogger(HyperbeamReader.class);
    public static final String SOURCE = "hyperbeam";

    private final NodeHttpClient http;
    private final List<Node> nodes;
    private final String processId;
    private final String mode;
    private final String moduleId;
    private final Duration timeout;
    private final UpstreamTiming timing;
    private final ObjectMapper json = JsonMappers.mapper();

    public HyperbeamReader(NodeHttpClient http, List<URI> nodes, String processId, String mode, String moduleId,
            Duration timeout, UpstreamTiming timing) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("hyperbeam.nodes names no node");
        }
        if (!mode.equals("now") && !mode.equals("compute")) {
            throw new IllegalArgumentException("hyperbeam.mode must be now or compute, not " + mode);
        }
        this.http = http;
        this.processId = processId;
        this.mode = mode;
        this.moduleId = moduleId;
        this.timeout = timeout;
        this.timing = timing;
        this.nodes = nodes.stream().map(node -> new Node(node, HttpHost.create(node),
                node.getRawPath().replaceAll("/+$", "") + '/' + processId + "~process@1.0/" + mode
                        + "/~lua@5.3a&module=" + moduleId + '/', new AtomicLong(System.nanoTime()))).toList();
    }

    /**
     * A node, where calls to it go, its read path up to the function name, and the
     * {@link System#nanoTime()} before which it asked not to be called.
     */
    private record Node(URI uri, HttpHost host, String readPrefix, AtomicLong restsUntil) {

        boolean resting() {
            return restsUntil.get() - System.nanoTime() > 0;
        }

        void restFor(Duration wait) {
            restsUntil.accumulateAndGet(System.nanoTime() + wait.toNanos(), (a, b) -> a - b > 0 ? a : b);
        }
    }

    /**
     * Reads the request from a node; leaves the module's answer, parsed ({@code {ok, data | error}}),
     * as the body: the answer is parsed once, here, where it is checked.
     */
    public JsonNode read(Exchange exchange, @ExchangeProperty("registryRequest") RegistryRequest request) {
        long start = System.nanoTime();
        String lastFailure = "no node was tried";
        for (Node node : nodes) {
            if (node.resting()) {
                lastFailure = node.uri() + " asked not to be called yet (Retry-After)";
                continue;
            }
            try {
                JsonNode answer = call(node, request);
                timing.answered(exchange, SOURCE, start);
                return answer;
            } catch (UpstreamException e) {
                lastFailure = node.uri() + " " + e.detail();
                LOG.warn("HyperBEAM node {} failed {}: {}", node.uri(), request.query(), e.detail());
            }
        }
        timing.failed(SOURCE, start);
        throw new UpstreamException(SOURCE, lastFailure);
    }

    /** Whether any node answers a read of {@code info} now: for readiness, outside the breaker. */
    public boolean probe() {
        RegistryRequest info = new RegistryRequest("health", "info", new java.util.TreeMap<>());
        for (Node node : nodes) {
            if (node.resting()) {
                continue;
            }
            try {
                call(node, info);
                return true;
            } catch (UpstreamException e) {
                LOG.debug("HyperBEAM node {} probe failed: {}", node.uri(), e.detail());
            }
        }
        return false;
    }

    private static String path(Node node, RegistryRequest request) {
        StringBuilder path = new StringBuilder(256).append(node.readPrefix())
                .append(request.function()).append("/serialize~json@1.0");
        char separator = '?';
        for (Map.Entry<String, String> param : request.params().entrySet()) {
            path.append(separator).append(encode(param.getKey())).append('=').append(encode(param.getValue()));
            separator = '&';
        }
        return path.toString();
    }

    private JsonNode call(Node node, RegistryRequest request) {
        UpstreamAnswer response = http.get(node.host(), path(node, request), timeout, SOURCE);
        if (response.status() != 200) {
            Duration wait = response.retryAfter();
            if (wait != null && !wait.isZero()) {
                node.restFor(wait);
                throw new UpstreamException(SOURCE, "HTTP " + response.status() + ", not called again for "
                        + wait.toSeconds() + " s (Retry-After)");
            }
            throw new UpstreamException(SOURCE, "HTTP " + response.status());
        }
        JsonNode answer;
        try {
            answer = json.readTree(response.body());
        } catch (IOException e) {
            throw new UpstreamException(SOURCE, "the answer is not JSON");
        }
        if (answer == null || !answer.path("ok").isBoolean()) {
            throw new UpstreamException(SOURCE, "the answer is not an {ok, data | error} object");
        }
        return answer;
    }

    static String describe(Throwable cause) {
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " " + message);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
