package com.permamind.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.permamind.gateway.dev.EmbeddedKafka;
import com.permamind.gateway.simulator.Fault;
import com.permamind.gateway.simulator.Upstream;
import com.permamind.gateway.support.GatewayHarness;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.ParamDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The OpenAPI document the gateway serves (openapi/registry-api.json) is the API the routes serve:
 * the same operations and parameters as the REST DSL, and every real answer of the embedded default
 * (each query's 200, 400, 404 and 503, the POST's 202 and 400) valid against the schema and headers
 * the document gives for its status.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCUMENT = "classpath:openapi/registry-api.json";
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private static EmbeddedKafka kafka;
    private static GatewayHarness gateway;
    private static JsonNode document;

    @BeforeAll
    static void start() throws IOException {
        kafka = EmbeddedKafka.start(0);
        // breakers opened by the 503s close again soon after
        gateway = GatewayHarness.start(Map.of("kafka.bootstrap-servers", kafka.bootstrapServers(),
                "hyperbeam.breaker.wait-millis-in-open-state", "300", "ao.breaker.wait-millis-in-open-state", "300"));
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/openapi/registry-api.json")) {
            document = JSON.readTree(in);
        }
    }

    @AfterAll
    static void stop() {
        gateway.close();
        gateway.simulator().close();
        kafka.stop();
    }

    @Test
    void should_serve_the_document_as_api_openapi_json() throws IOException {
        HttpResponse<String> served = gateway.get("/api/openapi.json");

        assertEquals(200, served.statusCode());
        assertEquals("application/json", served.headers().firstValue("Content-Type").orElse(""));
        assertEquals(document, JSON.readTree(served.body()));
        assertEquals("3.1.0", document.path("openapi").asText());
    }

    @Test
    void should_describe_exactly_the_operations_and_parameters_the_routes_serve() {
        Set<String> served = new TreeSet<>();
        for (RestDefinition rest : gateway.context().getCamelContextExtension().getContextPlugin(Model.class)
                .getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String path = rest.getPath() + verb.getPath();
                String method = verb.asVerb();
                served.add(method + " " + path);
                JsonNode operation = document.path("paths").path(path).path(method);
                assertTrue(operation.isObject(), method + " " + path + " is served but not in the document");
                Set<String> documented = parameters(operation);
                for (ParamDefinition param : verb.getParams()) {
                    if (!"body".equals(param.getType().name())) {
                        assertTrue(documented.contains(param.getType().name() + ":" + param.getName()),
                                method + " " + path + ": parameter " + param.getName() + " is not in the document");
                    }
                }
                Set<String> routed = verb.getParams().stream().map(p -> p.getType().name() + ":" + p.getName())
                        .collect(Collectors.toSet());
                for (String parameter : documented) {
                    assertTrue(routed.contains(parameter),
                            method + " " + path + ": the document has " + parameter + ", the REST DSL does not");
                }
            }
        }
        Set<String> promised = new TreeSet<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> promised.add(method + " " + path.getKey())));
        assertEquals(promised, served);
    }

    /**
     * A default the document states is the one the Lua module applies (the REST DSL states the same):
     * a read that gives it is the read that leaves it out, one key, answered from the cache.
     */
    @Test
    void should_apply_the_defaults_the_document_states() {
        Map<String, String> restDefaults = new java.util.HashMap<>();
        for (RestDefinition rest : gateway.context().getCamelContextExtension().getContextPlugin(Model.class)
                .getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                for (ParamDefinition param : verb.getParams()) {
                    if (param.getDefaultValue() != null) {
                        restDefaults.put(verb.asVerb() + " " + rest.getPath() + verb.getPath() + " " + param.getName(),
                                param.getDefaultValue());
                    }
                }
            }
        }
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (JsonNode reference : path.getValue().path("get").path("parameters")) {
                JsonNode parameter = resolve(reference);
                JsonNode fallback = parameter.path("schema").path("default");
                if (!"query".equals(parameter.path("in").asText()) || fallback.isMissingNode()) {
                    continue;
                }
                String name = parameter.path("name").asText();
                String operation = "get " + path.getKey() + " " + name;
                if (restDefaults.containsKey(operation)) {
                    assertEquals(fallback.asText(), restDefaults.get(operation), operation + ": the REST DSL's default");
                }
                String bare = path.getKey().replace("{name}", "cron");
                assertSameRead(bare, bare + "?" + name + "=" + fallback.asText(), operation);
                checked++;
            }
        }
        assertTrue(checked >= 5, checked + " defaults checked");
    }

    // the second read is answered from the first's key, unless a clocked read's minute turned between
    private static void assertSameRead(String bare, String explicit, String what) {
        for (int attempt = 0; ; attempt++) {
            long minute = System.currentTimeMillis() / 60_000;
            HttpResponse<String> without = gateway.get(bare);
            HttpResponse<String> with = gateway.get(explicit);
            if (attempt == 0 && System.currentTimeMillis() / 60_000 != minute) {
                continue;
            }
            assertEquals(200, without.statusCode(), what + ": " + without.body());
            assertEquals(without.body(), with.body(), what);
            assertEquals("cache", with.headers().firstValue("X-Registry-Source").orElse(null), what + ": another key");
            return;
        }
    }

    @Test
    void should_answer_every_query_as_the_document_says() {
        List<String[]> exchanges = List.of(
                get("/api/info", 200),
                get("/api/skills/search?q=ao&limit=5", 200),
                get("/api/skills/search?limit=0", 400),
                get("/api/skills?limit=100", 200),
                get("/api/skills?tags=a,b,c,d,e,f,g,h,i,j,k", 400),
                get("/api/skills/cron", 200),
                get("/api/skills/cron?version=1.1.4", 200),
                get("/api/skills/no-such-skill", 404),
                get("/api/skills/cron?version=9.9.9", 404),
                get("/api/skills/cron?version=1.2", 400),
                get("/api/skills/cron/versions", 200),
                get("/api/skills/no-such-skill/versions", 404),
                get("/api/skills/" + "n".repeat(129) + "/versions", 400),
                get("/api/skills/cron/downloads", 200),
                get("/api/skills/cron/downloads?version=1.1.4&timeRange=7", 200),
                get("/api/skills/no-such-skill/downloads", 404),
                get("/api/skills/cron/downloads?timeRange=14", 400),
                get("/api/stats/downloads?timeRange=30", 200),
                get("/api/stats/downloads?timeRange=ALL", 400),
                get("/api/performance", 200),
                new String[] {"post", "/api/skills/cron/downloads", "{\"version\":\"1.2.1\"}", "202"},
                new String[] {"post", "/api/skills/cron/downloads", "{\"version\":\"one\"}", "400"});
        for (String[] exchange : exchanges) {
            assertAsDocumented(exchange[0], exchange[1], exchange[2], Integer.parseInt(exchange[3]));
        }
    }

    @Test
    @Order(1) // before any answer is cached that could be served stale instead
    void should_answer_503_with_retry_after_as_documented_when_no_upstream_can_answer() throws InterruptedException {
        gateway.simulator().faults(Upstream.HYPERBEAM).inject(Fault.status(500));
        gateway.simulator().faults(Upstream.COMPUTE_UNIT).inject(Fault.status(500));
        try {
            for (String path : List.of("/api/info", "/api/skills/search?q=unavailable", "/api/skills?limit=3",
                    "/api/skills/unavailable", "/api/skills/unavailable/versions",
                    "/api/skills/unavailable/downloads", "/api/stats/downloads?timeRange=7")) {
                assertAsDocumented("get", path, null, 503);
            }
        } finally {
            gateway.simulator().faults(Upstream.HYPERBEAM).clear();
            gateway.simulator().faults(Upstream.COMPUTE_UNIT).clear();
            gateway.awaitSource("/api/skills/cron", "hyperbeam", 30_000);
        }
    }

    private static String[] get(String path, int status) {
        return new String[] {"get", path, null, Integer.toString(status)};
    }

    private static void assertAsDocumented(String method, String path, String body, int status) {
        String exchange = method.toUpperCase() + " " + path;
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path));
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> answer = GatewayHarness.send(request.build());
        assertEquals(status, answer.statusCode(), exchange + ": " + answer.body());

        String template = template(path.replaceFirst("\\?.*", ""));
        JsonNode declared = document.path("paths").path(template).path(method).path("responses")
                .path(Integer.toString(status));
        JsonNode response = resolve(declared);
        assertTrue(response.isObject(), exchange + ": status " + status + " is not in the document");

        String contentType = answer.headers().firstValue("Content-Type").orElse("");
        JsonNode content = response.path("content").path(contentType);
        assertTrue(content.isObject(), exchange + ": " + contentType + " is not documented for " + status);
        String pointer = "/paths/" + escape(template) + "/" + method + "/responses/" + status;
        if (declared.has("$ref")) {
            pointer = declared.get("$ref").asText().substring(1);
        }
        assertValid(exchange, pointer + "/content/" + escape(contentType) + "/schema", answer.body());

        Iterator<Map.Entry<String, JsonNode>> headers = response.path("headers").fields();
        while (headers.hasNext()) {
            Map.Entry<String, JsonNode> header = headers.next();
            JsonNode spec = resolve(header.getValue());
            var value = answer.headers().firstValue(header.getKey());
            if (spec.path("required").asBoolean(false)) {
                assertTrue(value.isPresent(), exchange + ": required header " + header.getKey() + " is missing");
            }
            if (value.isPresent()) {
                String schemaPointer = header.getValue().has("$ref")
                        ? header.getValue().get("$ref").asText().substring(1) + "/schema"
                        : pointer + "/headers/" + escape(header.getKey()) + "/schema";
                String asJson = "integer".equals(spec.path("schema").path("type").asText())
                        ? value.get() : JSON.valueToTree(value.get()).toString();
                assertValid(exchange + " header " + header.getKey(), schemaPointer, asJson);
            }
        }
    }

    private static void assertValid(String exchange, String pointer, String json) {
        JsonSchema schema = SCHEMAS.getSchema(SchemaLocation.of(DOCUMENT + "#" + pointer));
        Set<ValidationMessage> errors;
        try {
            errors = schema.validate(JSON.readTree(json));
        } catch (IOException e) {
            throw new AssertionError(exchange + ": not JSON: " + json, e);
        }
        assertTrue(errors.isEmpty(), exchange + ": " + errors + " in " + json);
    }

    /** The document's path template a request path falls under, literal segments before parameters. */
    private static String template(String path) {
        List<String> templates = new ArrayList<>();
        document.path("paths").fieldNames().forEachRemaining(templates::add);
        templates.sort(Comparator.comparing((String t) -> t.chars().filter(c -> c == '{').count()));
        for (String template : templates) {
            if (Pattern.matches(template.replaceAll("\\{[^}]+}", "[^/]+"), path)) {
                return template;
            }
        }
        throw new AssertionError(path + " falls under no path of the document");
    }

    private static Set<String> parameters(JsonNode operation) {
        Set<String> names = new TreeSet<>();
        operation.path("parameters").forEach(p -> {
            JsonNode parameter = resolve(p);
            names.add(parameter.path("in").asText() + ":" + parameter.path("name").asText());
        });
        return names;
    }

    private static JsonNode resolve(JsonNode node) {
        return node.has("$ref") ? document.at(node.get("$ref").asText().substring(1)) : node;
    }

    private static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }
}
